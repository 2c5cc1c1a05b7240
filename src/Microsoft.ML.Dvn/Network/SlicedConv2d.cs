using Microsoft.ML.Dvn.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// A 3x3 convolution (stride 1, padding 1) whose forward pass reads only the kernels from the active input channels
/// to the active output channels: a zero-copy view of the full weight. No bias: batch normalization follows.
/// How libtorch computes it is this process's business (<see cref="Path"/>); the result is the same to float rounding.
/// </summary>
internal sealed class SlicedConv2d : nn.Module
{
    public const int KernelSize = 3;

    private readonly Parameter weight;

    public SlicedConv2d(string name, int inputChannels, int outputChannels, Generator generator) : base(name)
    {
        weight = new Parameter(empty(outputChannels, inputChannels, KernelSize, KernelSize));
        WeightInitialization.FanInUniform(weight, inputChannels * KernelSize * KernelSize, generator);
        Path = new ConvolutionPath(inputChannels, outputChannels);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>
    /// How this process's libtorch runs the convolution: channel padding, batch pieces, kernels kept for prediction.
    /// The stress command and the tests switch its settings layer by layer.
    /// </summary>
    public ConvolutionPath Path { get; }

    /// <summary>The most bytes of padded kernels <see cref="Path"/> keeps for prediction (twice the padded weight).</summary>
    public long MaxKeptPaddedBytes => Path.MaxKeptBytes(weight.element_size());

    public Tensor Forward(Tensor input, ChannelSlice inputs, ChannelSlice outputs) =>
        Path.Convolve(input, Block(inputs, outputs), training || is_grad_enabled() ? null : (inputs.Start, outputs.Start));

    /// <summary>The kernels that the slice pair reads (a view, not a copy).</summary>
    public Tensor Block(ChannelSlice inputs, ChannelSlice outputs) =>
        weight.narrow(0, outputs.Start, outputs.Length).narrow(1, inputs.Start, inputs.Length);

    public static long ParameterCount(ChannelSlice inputs, ChannelSlice outputs) =>
        (long)inputs.Length * outputs.Length * KernelSize * KernelSize;

    // Weights change only in training: kernels the path keeps for prediction go at every switch.
    public override void train(bool on = true)
    {
        Path.Forget();
        base.train(on);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Path.Dispose();
        base.Dispose(disposing);
    }
}
