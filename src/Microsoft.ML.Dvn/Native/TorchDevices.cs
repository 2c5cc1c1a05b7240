using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Native;

/// <summary>Turns a <see cref="DvnDevice"/> choice into a TorchSharp device (after <see cref="DvnRuntime.Initialize()"/>).</summary>
internal static class TorchDevices
{
    public static Device Resolve(DvnDevice device)
    {
        switch (device)
        {
            case DvnDevice.Cpu:
                return CPU;
            case DvnDevice.Auto:
                return CudaAvailable() ? CUDA : CPU;
            case DvnDevice.Cuda:
                if (!CudaAvailable())
                    throw new InvalidOperationException(
                        "DvnDevice.Cuda was requested, but TorchSharp finds no CUDA device. CUDA needs an NVIDIA GPU with its " +
                        "driver, and the TorchSharp-cuda-linux runtime instead of TorchSharp-cpu (build this library with " +
                        "-p:DvnTorchBackend=cuda). Use DvnDevice.Cpu or DvnDevice.Auto to run on the CPU.");
                return CUDA;
            default:
                throw new ArgumentOutOfRangeException(nameof(device), $"Unknown device {device}; expected Auto, Cpu or Cuda.");
        }
    }

    /// <summary>
    /// The device a loaded model runs on: the one it was trained for where present, else the CPU, so that a model
    /// trained on a GPU still loads on a machine without one.
    /// </summary>
    public static Device ResolveForLoading(DvnDevice device) =>
        device == DvnDevice.Cpu ? Resolve(DvnDevice.Cpu) : Resolve(DvnDevice.Auto);

    private static bool CudaAvailable()
    {
        try
        {
            return torch.TryInitializeDeviceType(DeviceType.CUDA) && cuda.is_available();
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}
