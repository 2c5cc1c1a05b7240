using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// A fully connected layer whose forward pass reads only the weight block from the active input features to the
/// active output features: a zero-copy view of the full weight. No bias: batch normalization follows every hidden layer.
/// </summary>
internal sealed class SlicedLinear : nn.Module
{
    private readonly Parameter weight;

    public SlicedLinear(string name, int inputFeatures, int outputFeatures, Generator generator) : base(name)
    {
        weight = new Parameter(empty(outputFeatures, inputFeatures));
        WeightInitialization.FanInUniform(weight, inputFeatures, generator);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public Tensor Forward(Tensor input, ChannelSlice inputs, ChannelSlice outputs) =>
        nn.functional.linear(input, Block(inputs, outputs));

    /// <summary>The weight block that the slice pair reads (a view, not a copy).</summary>
    public Tensor Block(ChannelSlice inputs, ChannelSlice outputs) =>
        weight.narrow(0, outputs.Start, outputs.Length).narrow(1, inputs.Start, inputs.Length);

    public static long ParameterCount(ChannelSlice inputs, ChannelSlice outputs) => (long)inputs.Length * outputs.Length;
}
