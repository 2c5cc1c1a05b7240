namespace Microsoft.ML.Dvn;

/// <summary>Where a DVN trains and predicts.</summary>
public enum DvnDevice
{
    /// <summary>CUDA when TorchSharp finds a CUDA device, the CPU otherwise.</summary>
    Auto,

    /// <summary>The CPU (the default): always available, bit-reproducible with a fixed seed.</summary>
    Cpu,

    /// <summary>The first CUDA device. Needs the TorchSharp-cuda-linux runtime package and a GPU; fails clearly without them.</summary>
    Cuda,
}
