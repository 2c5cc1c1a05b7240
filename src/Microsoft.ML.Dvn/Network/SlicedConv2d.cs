using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// A 3x3 convolution (stride 1, padding 1) whose forward pass reads only the kernels from the active input channels
/// to the active output channels: a zero-copy view of the full weight. No bias: batch normalization follows.
/// </summary>
internal sealed class SlicedConv2d : nn.Module
{
    public const int KernelSize = 3;

    private static readonly long[] Stride = { 1, 1 };
    private static readonly long[] Padding = { 1, 1 };

    private readonly Parameter weight;

    public SlicedConv2d(string name, int inputChannels, int outputChannels, Generator generator) : base(name)
    {
        weight = new Parameter(empty(outputChannels, inputChannels, KernelSize, KernelSize));
        WeightInitialization.FanInUniform(weight, inputChannels * KernelSize * KernelSize, generator);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public Tensor Forward(Tensor input, ChannelSlice inputs, ChannelSlice outputs) =>
        nn.functional.conv2d(input, Block(inputs, outputs), null, Stride, Padding);

    /// <summary>The kernels that the slice pair reads (a view, not a copy).</summary>
    public Tensor Block(ChannelSlice inputs, ChannelSlice outputs) =>
        weight.narrow(0, outputs.Start, outputs.Length).narrow(1, inputs.Start, inputs.Length);

    public static long ParameterCount(ChannelSlice inputs, ChannelSlice outputs) =>
        (long)inputs.Length * outputs.Length * KernelSize * KernelSize;
}
