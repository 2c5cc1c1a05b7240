using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// A 3x3 convolution (stride 1, padding 1) whose forward pass reads only the kernels from the active input channels
/// to the active output channels: a zero-copy view of the full weight. No bias: batch normalization follows.
/// The convolution itself runs at the channel counts of <see cref="Padding"/> (zero kernels added, output narrowed
/// back), which changes nothing but which libtorch kernel computes it.
/// </summary>
internal sealed class SlicedConv2d : nn.Module
{
    public const int KernelSize = 3;

    private static readonly long[] Stride = { 1, 1 };
    private static readonly long[] Padding2d = { 1, 1 };

    private readonly Parameter weight;

    public SlicedConv2d(string name, int inputChannels, int outputChannels, Generator generator) : base(name)
    {
        weight = new Parameter(empty(outputChannels, inputChannels, KernelSize, KernelSize));
        WeightInitialization.FanInUniform(weight, inputChannels * KernelSize * KernelSize, generator);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>The channel counts the convolution runs at; by default what this process's libtorch settings need.</summary>
    public ChannelPadding Padding { get; set; } = ChannelPadding.ForProcess;

    public Tensor Forward(Tensor input, ChannelSlice inputs, ChannelSlice outputs)
    {
        long inputsRun = Padding.Inputs(inputs.Length), outputsRun = Padding.Outputs(outputs.Length);
        var block = Block(inputs, outputs);
        if (inputsRun == inputs.Length && outputsRun == outputs.Length)
            return nn.functional.conv2d(input, block, null, Stride, Padding2d);
        // Zero kernels for the added input and output channels: the added outputs are zero and narrowed away, the
        // added inputs (zero as well) contribute nothing. Both pads are differentiable, so gradients reach the block.
        var padded = nn.functional.pad(block, new long[] { 0, 0, 0, 0, 0, inputsRun - inputs.Length, 0, outputsRun - outputs.Length });
        if (inputsRun != inputs.Length)
            input = nn.functional.pad(input, new long[] { 0, 0, 0, 0, 0, inputsRun - inputs.Length });
        return nn.functional.conv2d(input, padded, null, Stride, Padding2d).narrow(1, 0, outputs.Length);
    }

    /// <summary>The kernels that the slice pair reads (a view, not a copy).</summary>
    public Tensor Block(ChannelSlice inputs, ChannelSlice outputs) =>
        weight.narrow(0, outputs.Start, outputs.Length).narrow(1, inputs.Start, inputs.Length);

    public static long ParameterCount(ChannelSlice inputs, ChannelSlice outputs) =>
        (long)inputs.Length * outputs.Length * KernelSize * KernelSize;
}
