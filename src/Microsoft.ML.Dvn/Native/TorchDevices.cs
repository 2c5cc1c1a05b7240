using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// Turns a device choice into a TorchSharp device, with ML.NET's conventions: MLContext.GpuDeviceId asks every
/// GPU-capable trainer for that GPU, and MLContext.FallbackToCpu says whether to use the CPU when it is not there.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>CPU (the option's default) and no GpuDeviceId on the context: the CPU.</item>
/// <item>CPU and the context's GpuDeviceId set: that CUDA device (the context's request for all trainers).</item>
/// <item>Cuda: CUDA device Options.GpuDeviceId, else the context's GpuDeviceId, else 0.</item>
/// <item>Auto: that CUDA device where present, the CPU otherwise, silently.</item>
/// <item>A CUDA device that is not there: the CPU with a warning when the context's FallbackToCpu is true, a clear
/// exception otherwise.</item>
/// </list>
/// </remarks>
internal static class TorchDevices
{
    /// <summary>The device to train on.</summary>
    /// <param name="device">The option's device.</param>
    /// <param name="gpuDeviceId">The option's CUDA device index, or null.</param>
    /// <param name="env">The context: its GpuDeviceId and FallbackToCpu.</param>
    /// <param name="warn">Where a fallback to the CPU is said.</param>
    public static Device Resolve(DvnDevice device, int? gpuDeviceId, IHostEnvironment env, Action<string> warn)
    {
        var (contextGpu, fallback) = ContextSettings(env);
        switch (device)
        {
            case DvnDevice.Cpu when contextGpu is null:
                return CPU;
            case DvnDevice.Cpu:
                return Cuda(contextGpu.Value, "MLContext.GpuDeviceId", fallback, warn);
            case DvnDevice.Auto:
                int index = gpuDeviceId ?? contextGpu ?? 0;
                return CudaDevices() > index ? new Device(DeviceType.CUDA, index) : CPU;
            case DvnDevice.Cuda:
                return Cuda(gpuDeviceId ?? contextGpu ?? 0, gpuDeviceId is null ? "DvnDevice.Cuda" : "DvnEstimator.Options.GpuDeviceId", fallback, warn);
            default:
                throw new ArgumentOutOfRangeException(nameof(device), $"Unknown device {device}; expected Auto, Cpu or Cuda.");
        }
    }

    /// <summary>
    /// The device a loaded model runs on: the loading context's GpuDeviceId where set (with its FallbackToCpu), else
    /// what the model was trained for, on the CPU where that is not present (with a warning), so that a model trained
    /// on a GPU still loads on a machine without one.
    /// </summary>
    public static Device ResolveForLoading(DvnDevice trainedFor, IHostEnvironment env, Action<string> warn)
    {
        var (contextGpu, fallback) = ContextSettings(env);
        if (contextGpu is int index)
            return Cuda(index, "MLContext.GpuDeviceId", fallback, warn);
        if (trainedFor == DvnDevice.Cpu)
            return CPU;
        if (CudaDevices() > 0)
            return CUDA;
        if (trainedFor == DvnDevice.Cuda)
            warn("The DVN model was trained for DvnDevice.Cuda; TorchSharp finds no CUDA device here, so it runs on the CPU.");
        return CPU;
    }

    /// <summary>Says a device message as a warning on the context's log.</summary>
    public static Action<string> WarningsTo(IChannelProvider provider) => message =>
    {
        using var channel = provider.Start("Device");
        channel.Warning(message);
    };

    private static Device Cuda(int index, string requestedBy, bool fallbackToCpu, Action<string> warn)
    {
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(index), $"{requestedBy} asks for CUDA device {index}; device indices start at 0.");
        int count = CudaDevices();
        if (index < count)
            return new Device(DeviceType.CUDA, index);
        string missing = count == 0
            ? $"{requestedBy} asks for CUDA device {index}, but TorchSharp finds no CUDA device"
            : $"{requestedBy} asks for CUDA device {index}, but TorchSharp finds only {count} (0..{count - 1})";
        if (fallbackToCpu)
        {
            warn($"{missing}; MLContext.FallbackToCpu is true, so the DVN runs on the CPU.");
            return CPU;
        }
        throw new InvalidOperationException(
            $"{missing}. CUDA needs an NVIDIA GPU with its driver, and the TorchSharp-cuda-linux runtime instead of " +
            "TorchSharp-cpu (build this library with -p:DvnTorchBackend=cuda). Use DvnDevice.Cpu (and no MLContext.GpuDeviceId) " +
            "or DvnDevice.Auto to run on the CPU, or set MLContext.FallbackToCpu = true.");
    }

    // MLContext.GpuDeviceId and FallbackToCpu live on ML.NET's internal environment interface (IHostEnvironmentInternal,
    // reached through the publicized reference; see Internals/). An environment without it asks for nothing.
    private static (int? GpuDeviceId, bool FallbackToCpu) ContextSettings(IHostEnvironment env) =>
        env is IHostEnvironmentInternal settings ? (settings.GpuDeviceId, settings.FallbackToCpu) : (null, false);

    private static int CudaDevices()
    {
        try
        {
            return torch.TryInitializeDeviceType(DeviceType.CUDA) && cuda.is_available() ? cuda.device_count() : 0;
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or InvalidOperationException)
        {
            return 0;
        }
    }
}
