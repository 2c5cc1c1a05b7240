namespace Microsoft.ML.Dvn;

/// <summary>Where a DVN trains and predicts.</summary>
public enum DvnDevice
{
    /// <summary>CUDA when TorchSharp finds the CUDA device (Options.GpuDeviceId, or MLContext.GpuDeviceId, or 0), the CPU otherwise.</summary>
    Auto,

    /// <summary>
    /// The CPU (the default): always available, bit-reproducible with a fixed seed. A context with MLContext.GpuDeviceId
    /// set overrides it, as it does for ML.NET's GPU trainers.
    /// </summary>
    Cpu,

    /// <summary>
    /// A CUDA device (Options.GpuDeviceId, or MLContext.GpuDeviceId, or 0). Needs the TorchSharp-cuda-linux runtime
    /// package and a GPU; without them it fails clearly, or runs on the CPU where MLContext.FallbackToCpu is true.
    /// </summary>
    Cuda,
}
