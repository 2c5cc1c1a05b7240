using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// The physical network of a DVN: shared convolution and fully connected layers whose channels are cut into units,
/// and, for every (task, level), its own normalizations and head. <see cref="Forward"/> runs one (task, level) on a
/// batch and reads nothing outside that level's units.
/// </summary>
internal sealed class DvnNetwork : nn.Module
{
    private readonly ModuleList<SlicedConv2d> convolutions;
    private readonly ModuleList<SlicedLinear> fullyConnected;
    private readonly ModuleDict<LevelModules> levels;

    private readonly UnitLayout[] _convolutionLayouts;
    private readonly UnitLayout[] _fullyConnectedLayouts;
    private readonly int[] _classCounts;
    private readonly int _pooledArea;

    /// <param name="architecture">The backbone and its full widths.</param>
    /// <param name="inputSize">Length of the feature vector.</param>
    /// <param name="classCounts">Number of classes of every task (task t at index t-1).</param>
    /// <param name="allocation">Units and levels; its task count must match <paramref name="classCounts"/>.</param>
    /// <param name="seed">Fixes the initial weights.</param>
    public DvnNetwork(DvnArchitecture architecture, int inputSize, IReadOnlyList<int> classCounts, UnitAllocation allocation, long seed)
        : base("dvn")
    {
        if (classCounts.Count != allocation.NumberOfTasks)
            throw new ArgumentException($"{classCounts.Count} class counts given for {allocation.NumberOfTasks} tasks.", nameof(classCounts));
        int badTask = classCounts.ToList().FindIndex(c => c < 1);
        if (badTask >= 0)
            throw new ArgumentException($"Task {badTask + 1} has {classCounts[badTask]} classes; every task needs at least one.", nameof(classCounts));
        if (architecture.RequiredFeatureLength is int required && required != inputSize)
            throw new ArgumentException(
                $"The CNN reads images of {architecture.ImageChannels} x {architecture.ImageHeight} x {architecture.ImageWidth} = " +
                $"{required} values, but the feature vector has {inputSize}.", nameof(inputSize));
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), $"The feature vector must have at least one value; got {inputSize}.");
        CheckUnitsFit(architecture, allocation.NumberOfUnits);

        Architecture = architecture;
        InputSize = inputSize;
        Allocation = allocation;
        _classCounts = classCounts.ToArray();
        int units = allocation.NumberOfUnits;
        _convolutionLayouts = architecture.ConvolutionChannels.Select(c => new UnitLayout(c, units)).ToArray();
        _fullyConnectedLayouts = architecture.HiddenLayerSizes.Select(c => new UnitLayout(c, units)).ToArray();
        _pooledArea = (int)architecture.PooledArea(_convolutionLayouts.Length);

        using var generator = new Generator((ulong)seed);
        var convs = new List<SlicedConv2d>();
        int previous = architecture.ImageChannels;
        foreach (int channels in architecture.ConvolutionChannels)
        {
            convs.Add(new SlicedConv2d($"conv{convs.Count}", previous, channels, generator));
            previous = channels;
        }
        var linears = new List<SlicedLinear>();
        previous = convs.Count > 0 ? previous * _pooledArea : inputSize;
        foreach (int width in architecture.HiddenLayerSizes)
        {
            linears.Add(new SlicedLinear($"fc{linears.Count}", previous, width, generator));
            previous = width;
        }
        convolutions = nn.ModuleList(convs.ToArray());
        fullyConnected = nn.ModuleList(linears.ToArray());

        var perLevel = new List<(string, LevelModules)>();
        for (int t = 1; t <= allocation.NumberOfTasks; t++)
            for (int j = 1; j <= allocation.NumberOfLevels; j++)
            {
                var widths = HiddenSlices(allocation.Units(t, j)).Select(s => s.Length);
                perLevel.Add((LevelKey(t, j), new LevelModules(LevelKey(t, j), widths, HeadInputsPerChannel, _classCounts[t - 1], generator)));
            }
        levels = nn.ModuleDict(perLevel.ToArray());
        RegisterComponents();
    }

    /// <summary>Fails unless every one of <paramref name="units"/> units gets at least one channel in every hidden layer.</summary>
    public static void CheckUnitsFit(DvnArchitecture architecture, int units)
    {
        if (units > architecture.NarrowestLayer)
            throw new ArgumentException(
                $"{units} units do not fit the narrowest hidden layer of {architecture}, which has " +
                $"{architecture.NarrowestLayer} channels: every unit needs at least one channel in every layer.", nameof(units));
    }

    public DvnArchitecture Architecture { get; }

    /// <summary>
    /// What each active channel of the last hidden layer gives the head: 1 after a fully connected layer; after the
    /// last convolution (a CNN without fully connected layers) the pooled image's area, as the flattened image is read.
    /// </summary>
    public int HeadInputsPerChannel => Architecture.HiddenLayerSizes.Count == 0 ? _pooledArea : 1;

    public int InputSize { get; }

    public UnitAllocation Allocation { get; }

    public IReadOnlyList<int> ClassCounts => _classCounts;

    public int NumberOfTasks => Allocation.NumberOfTasks;

    public int NumberOfLevels => Allocation.NumberOfLevels;

    /// <summary>
    /// The logits of level <paramref name="level"/> of task <paramref name="task"/> (both 1-based) for a batch of
    /// feature vectors [batch, <see cref="InputSize"/>]: [batch, classes of the task].
    /// </summary>
    public Tensor Forward(Tensor features, int task, int level)
    {
        var own = levels[LevelKey(task, level)];
        var slices = LayerSlices(Allocation.Units(task, level));
        Tensor hidden = features;
        int layer = 0;
        if (convolutions.Count > 0)
        {
            hidden = hidden.reshape(-1, Architecture.ImageChannels, Architecture.ImageHeight, Architecture.ImageWidth);
            for (; layer < convolutions.Count; layer++)
            {
                hidden = convolutions[layer].Forward(hidden, slices[layer].Inputs, slices[layer].Outputs);
                hidden = nn.functional.max_pool2d(nn.functional.relu(own.Norm(layer).Forward(hidden)), 2);
            }
            hidden = hidden.flatten(1);
        }
        for (int i = 0; i < fullyConnected.Count; i++, layer++)
        {
            hidden = fullyConnected[i].Forward(hidden, slices[layer].Inputs, slices[layer].Outputs);
            hidden = nn.functional.relu(own.Norm(layer).Forward(hidden));
        }
        return own.Head.Forward(hidden);
    }

    /// <summary>
    /// Every stored number that a forward pass of (task, level) reads: the weight blocks between its active
    /// channels, its normalizations (scale, shift, running mean and variance) and its head (weights and biases).
    /// </summary>
    public long ParameterCount(int task, int level)
    {
        var slices = LayerSlices(Allocation.Units(task, level));
        long shared = slices.Select((s, layer) => layer < convolutions.Count
            ? SlicedConv2d.ParameterCount(s.Inputs, s.Outputs)
            : SlicedLinear.ParameterCount(s.Inputs, s.Outputs)).Sum();
        return shared + levels[LevelKey(task, level)].ParameterCount;
    }

    /// <summary>The activation values a one-row forward pass of (task, level) creates (<see cref="ActivationMemory"/>).</summary>
    public long ActivationValuesPerRow(int task, int level)
    {
        var widths = HiddenSlices(Allocation.Units(task, level)).Select(s => s.Length).ToArray();
        return ActivationMemory.ValuesPerRow(Architecture, InputSize, _classCounts[task - 1], layer => widths[layer]);
    }

    /// <summary>
    /// An upper bound on the native memory that a forward pass of (task, level) in prediction (no gradients) holds for
    /// one row: every tensor <see cref="Forward"/> creates stays alive until the caller's dispose scope ends, so the
    /// bound is their sum, in checked arithmetic. Per convolution: the input padded to the channels it runs at
    /// (<see cref="Native.ConvolutionPath.Padding"/>), its output twice (oneDNN's reordered copy, or the pieces and their
    /// concatenation when libtorch's own convolution cuts the batch), the normalization's and ReLU's outputs, and the
    /// pooled output with its int64 indices; per fully connected layer its output, normalization and ReLU; the head's
    /// logits and probabilities; and the row's own copy of the features when rows are grouped. Not counted: libtorch's
    /// own unfolded input without oneDNN, at most <see cref="Native.ConvolutionPath.LibTorchUnfoldLimit"/> for a whole call.
    /// </summary>
    public long ActivationBytesPerRow(int task, int level)
    {
        var slices = LayerSlices(Allocation.Units(task, level));
        long floats = InputSize;
        for (int layer = 0; layer < slices.Length; layer++)
        {
            long outputs = slices[layer].Outputs.Length;
            if (layer < convolutions.Count)
            {
                var padding = convolutions[layer].Path.Padding;
                long inputs = slices[layer].Inputs.Length, inputsRun = padding.Inputs((int)inputs), outputsRun = padding.Outputs((int)outputs);
                long area = Architecture.PooledArea(layer), pooled = Architecture.PooledArea(layer + 1);
                floats = checked(floats + (inputsRun != inputs ? inputsRun * area : 0) + 2 * outputsRun * area + 2 * outputs * area + 3 * outputs * pooled);
            }
            else
            {
                floats = checked(floats + 3 * outputs);
            }
        }
        return checked((floats + 2L * _classCounts[task - 1]) * sizeof(float));
    }

    /// <summary>
    /// What a forward pass of (task, level) reads, layer by layer: views of the stored tensors (not copies), for
    /// writing the level in another format (ONNX). <see cref="Forward"/> is the computation they describe.
    /// </summary>
    public LevelTensors Tensors(int task, int level)
    {
        var own = levels[LevelKey(task, level)];
        var slices = LayerSlices(Allocation.Units(task, level));
        var blocks = slices.Select((s, layer) => layer < convolutions.Count
            ? convolutions[layer].Block(s.Inputs, s.Outputs)
            : fullyConnected[layer - convolutions.Count].Block(s.Inputs, s.Outputs)).ToArray();
        return new LevelTensors(Architecture, blocks[..convolutions.Count], blocks[convolutions.Count..], own.Norms.ToArray(), own.Head);
    }

    /// <summary>The normalizations that (task, level) owns, one a hidden layer.</summary>
    public IEnumerable<LevelNorm> Norms(int task, int level) => levels[LevelKey(task, level)].Norms;

    /// <summary>Every number the physical network stores: all parameters and normalization statistics.</summary>
    public long StoredParameterCount =>
        parameters().Sum(p => p.numel()) + buffers().Sum(b => b.numel());

    /// <summary>The active channel slice of every hidden layer (convolutions first) for a unit range.</summary>
    public IEnumerable<ChannelSlice> HiddenSlices(UnitRange units) => LayerSlices(units).Select(s => s.Outputs);

    /// <summary>
    /// A physically smaller copy of one (task, level): one task, one unit, one level, whose weights are compact copies
    /// of the level's blocks, with the level's own normalizations and head. Its forward pass equals this network's
    /// forward of (task, level), and it stores exactly <see cref="ParameterCount"/>(task, level) numbers.
    /// </summary>
    public DvnNetwork ExtractLevel(int task, int level)
    {
        var slices = LayerSlices(Allocation.Units(task, level));
        var widths = slices.Select(s => s.Outputs.Length).ToArray();
        var architecture = Architecture.Kind == DvnArchitectureKind.Cnn
            ? DvnArchitecture.Cnn(Architecture.ImageHeight, Architecture.ImageWidth, Architecture.ImageChannels,
                widths[..convolutions.Count], widths[convolutions.Count..])
            : DvnArchitecture.Mlp(widths);
        var compact = new DvnNetwork(architecture, InputSize, new[] { _classCounts[task - 1] }, new UnitAllocation(1, 1, 1), seed: 0);
        using (no_grad())
        {
            for (int layer = 0; layer < slices.Length; layer++)
            {
                var (source, target) = layer < convolutions.Count
                    ? (convolutions[layer].Block(slices[layer].Inputs, slices[layer].Outputs), compact.convolutions[layer].Weight)
                    : (fullyConnected[layer - convolutions.Count].Block(slices[layer].Inputs, slices[layer].Outputs),
                       compact.fullyConnected[layer - convolutions.Count].Weight);
                target.copy_(source);
            }
            var own = levels[LevelKey(task, level)].state_dict();
            foreach (var (name, value) in compact.levels[LevelKey(1, 1)].state_dict())
                value.copy_(own[name]);
        }
        return compact;
    }

    // The input and output channel slices of every hidden layer (convolutions first) for a unit range: the first layer
    // reads every input; a fully connected layer after the convolutions reads the last convolution's active channels,
    // each flattened over the pooled image.
    private (ChannelSlice Inputs, ChannelSlice Outputs)[] LayerSlices(UnitRange units)
    {
        var slices = new List<(ChannelSlice, ChannelSlice)>();
        var inputs = new ChannelSlice(0, convolutions.Count > 0 ? Architecture.ImageChannels : InputSize);
        foreach (var layout in _convolutionLayouts)
        {
            var outputs = layout.Slice(units);
            slices.Add((inputs, outputs));
            inputs = outputs;
        }
        if (_convolutionLayouts.Length > 0)
            inputs = inputs.Flattened(_pooledArea);
        foreach (var layout in _fullyConnectedLayouts)
        {
            var outputs = layout.Slice(units);
            slices.Add((inputs, outputs));
            inputs = outputs;
        }
        return slices.ToArray();
    }

    private static string LevelKey(int task, int level) => $"t{task}l{level}";
}
