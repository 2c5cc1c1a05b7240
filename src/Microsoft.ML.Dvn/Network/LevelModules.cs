using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>What one (task, level) owns alone: a normalization for every hidden layer, and its output head.</summary>
internal sealed class LevelModules : nn.Module
{
    private readonly ModuleList<LevelNorm> norms;
    private readonly LevelHead head;

    public LevelModules(string name, IEnumerable<int> activeWidths, int classes, Generator generator) : base(name)
    {
        var widths = activeWidths.ToArray();
        norms = nn.ModuleList(widths.Select((w, i) => new LevelNorm($"norm{i}", w)).ToArray());
        head = new LevelHead("head", widths[^1], classes, generator);
        RegisterComponents();
    }

    public LevelNorm Norm(int layer) => norms[layer];

    public LevelHead Head => head;

    public IEnumerable<LevelNorm> Norms => norms;

    public long ParameterCount => norms.Sum(n => n.ParameterCount) + head.ParameterCount;
}
