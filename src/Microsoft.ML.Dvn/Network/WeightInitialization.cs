using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// Weight initialization from an explicit generator, so that a seed alone fixes a network (no global RNG state).
/// Uniform in +-1/sqrt(fan_in): PyTorch's default for linear and convolution layers.
/// </summary>
/// <remarks>
/// Tensor.uniform_ is used, not nn.init.uniform_: in TorchSharp 0.107 the latter ignores its generator argument
/// (measured: two generators with the same seed gave different values), which breaks seeding.
/// </remarks>
internal static class WeightInitialization
{
    public static void FanInUniform(Tensor weight, int fanIn, Generator generator)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        using var _ = no_grad();
        weight.uniform_(-bound, bound, generator);
    }
}
