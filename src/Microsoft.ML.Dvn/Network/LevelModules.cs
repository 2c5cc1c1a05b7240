using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>What one (task, level) owns alone: a normalization for every hidden layer, and its output head.</summary>
internal sealed class LevelModules : nn.Module
{
    private readonly ModuleList<LevelNorm> norms;
    private readonly LevelHead head;

    /// <param name="name">The module's name.</param>
    /// <param name="activeWidths">The level's active channels in every hidden layer.</param>
    /// <param name="headInputsPerChannel">What each channel of the last hidden layer gives the head: 1, or the pooled
    /// image's area where that layer is a convolution (a CNN without fully connected layers; the head reads the
    /// flattened image).</param>
    /// <param name="classes">The task's classes.</param>
    /// <param name="generator">Draws the head's initial weights.</param>
    public LevelModules(string name, IEnumerable<int> activeWidths, int headInputsPerChannel, int classes, Generator generator) : base(name)
    {
        var widths = activeWidths.ToArray();
        norms = nn.ModuleList(widths.Select((w, i) => new LevelNorm($"norm{i}", w)).ToArray());
        head = new LevelHead("head", widths[^1] * headInputsPerChannel, classes, generator);
        RegisterComponents();
    }

    public LevelNorm Norm(int layer) => norms[layer];

    public LevelHead Head => head;

    public IEnumerable<LevelNorm> Norms => norms;

    public long ParameterCount => norms.Sum(n => n.ParameterCount) + head.ParameterCount;
}
