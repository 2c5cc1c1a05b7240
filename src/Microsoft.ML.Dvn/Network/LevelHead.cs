using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// The output layer of one (task, level): from that level's last active features to the task's classes.
/// Ours: the paper has task-specific output layers; one a level keeps levels independent.
/// </summary>
internal sealed class LevelHead : nn.Module
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public LevelHead(string name, int inputFeatures, int classes, Generator generator) : base(name)
    {
        weight = new Parameter(empty(classes, inputFeatures));
        bias = new Parameter(empty(classes));
        WeightInitialization.FanInUniform(weight, inputFeatures, generator);
        WeightInitialization.FanInUniform(bias, inputFeatures, generator);
        RegisterComponents();
    }

    /// <summary>[classes, input features].</summary>
    public Tensor Weight => weight;

    public Tensor Bias => bias;

    public long ParameterCount => weight.numel() + bias.numel();

    public Tensor Forward(Tensor input) => nn.functional.linear(input, weight, bias);
}
