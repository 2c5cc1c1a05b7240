using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The network a model file declares, before anything is allocated for it: its shape, and what it stores (every
/// tensor and parameter) and what every (task, level) reads, computed in checked 64-bit arithmetic from the shape
/// alone. The reader builds the network only once the file holds exactly these weights, so a few bytes can never
/// make it allocate gigabytes.
/// </summary>
/// <remarks>
/// The accounting follows <see cref="DvnNetwork"/>'s layers (sliced convolutions and linear layers without bias, a
/// normalization of four numbers a channel per hidden layer and a head per (task, level)); the weights section then
/// checks every tensor's name and shape against the network built from it, so a difference cannot go unnoticed.
/// </remarks>
internal sealed class DeclaredNetwork
{
    private readonly long[,] _levelParameterCounts;
    private readonly long[,] _levelActivationValues;

    private DeclaredNetwork(DvnArchitecture architecture, int inputSize, int[] classCounts, UnitAllocation allocation,
        long storedParameterCount, int tensorCount, long[,] levelParameterCounts, long[,] levelActivationValues)
    {
        Architecture = architecture;
        InputSize = inputSize;
        ClassCounts = classCounts;
        Allocation = allocation;
        StoredParameterCount = storedParameterCount;
        TensorCount = tensorCount;
        _levelParameterCounts = levelParameterCounts;
        _levelActivationValues = levelActivationValues;
    }

    public DvnArchitecture Architecture { get; }

    public int InputSize { get; }

    public int[] ClassCounts { get; }

    public UnitAllocation Allocation { get; }

    /// <summary>Every number the network stores: what its weights section holds.</summary>
    public long StoredParameterCount { get; }

    /// <summary>Every parameter and buffer tensor.</summary>
    public int TensorCount { get; }

    public int NumberOfTasks => ClassCounts.Length;

    /// <summary>What (task, level), both 1-based, reads: <see cref="DvnNetwork.ParameterCount"/>.</summary>
    public long LevelParameterCount(int task, int level) => _levelParameterCounts[task - 1, level - 1];

    /// <summary>The activation values a one-row prediction of (task, level), both 1-based, creates: <see cref="ActivationMemory"/>.</summary>
    public long LevelActivationValues(int task, int level) => _levelActivationValues[task - 1, level - 1];

    /// <summary>The network, on the CPU, with initial weights (the weights section overwrites them).</summary>
    public DvnNetwork Build() => new(Architecture, InputSize, ClassCounts, Allocation, seed: 0);

    /// <summary>Checks the sizes against the limits and the bytes that follow, in this order, each before what it bounds.</summary>
    /// <param name="architecture">The backbone (checked).</param>
    /// <param name="inputSize">The feature vector's length (checked).</param>
    /// <param name="classCounts">Every task's classes (checked).</param>
    /// <param name="units">Units, at most the narrowest layer (checked).</param>
    /// <param name="levels">Levels, at most the units (checked).</param>
    /// <param name="order">The tasks' order along the units (checked).</param>
    /// <param name="bytesAfter">The payload bytes after the architecture: 4 a stored number must fit.</param>
    public static DeclaredNetwork Create(DvnArchitecture architecture, int inputSize, int[] classCounts, int units, int levels, TaskOrder order, long bytesAfter)
    {
        const string Section = ArchitectureSection.Name;
        int layers = architecture.ConvolutionChannels.Count + architecture.HiddenLayerSizes.Count;
        long levelCount = (long)classCounts.Length * levels;
        // Each factor is checked alone first, so that the product cannot overflow.
        long tensors = levelCount > ModelLimits.MaxTensors || layers > ModelLimits.MaxTensors
            ? long.MaxValue
            : layers + levelCount * (4L * layers + 2);
        if (tensors > ModelLimits.MaxTensors)
            throw InvalidModel.Error(
                $"fields '{Section}.classCounts' ({classCounts.Length} tasks), '{Section}.numberOfLevels' ({levels}) and the " +
                $"{layers} hidden layers declare {(tensors == long.MaxValue ? $"more than {ModelLimits.MaxTensors}" : tensors)} tensors; at most {ModelLimits.MaxTensors} are loaded");

        long pooledArea = architecture.PooledArea(architecture.ConvolutionChannels.Count);
        // The shared layers are what the widest level reads besides its own normalizations and head.
        var (all, allOwn) = Checked(() => Counts(architecture, inputSize, classes: 1, pooledArea, layer => Width(architecture, layer)));
        long shared = all - allOwn;
        RequireBytes(shared, bytesAfter, "its shared layers");

        // The shared weights bound every width (each layer stores at least its width), so the layouts below are small.
        var allocation = new UnitAllocation(classCounts.Length, units, levels, order);
        var layouts = Enumerable.Range(0, layers).Select(layer => new UnitLayout(Width(architecture, layer), units)).ToArray();
        var perLevel = new long[classCounts.Length, levels];
        var activations = new long[classCounts.Length, levels];
        long stored = shared;
        for (int t = 1; t <= classCounts.Length; t++)
            for (int j = 1; j <= levels; j++)
            {
                var range = allocation.Units(t, j);
                var (reads, owns) = Checked(() => Counts(architecture, inputSize, classCounts[t - 1], pooledArea, layer => layouts[layer].Slice(range).Length));
                perLevel[t - 1, j - 1] = reads;
                // A level's bytes (parameters and one row's activations, 4 each) must fit a long: the budget rule compares them exactly.
                long values = Checked(() => ActivationMemory.ValuesPerRow(architecture, inputSize, classCounts[t - 1], layer => layouts[layer].Slice(range).Length));
                Checked(() => checked((reads + values) * ActivationMemory.BytesPerValue));
                activations[t - 1, j - 1] = values;
                stored = Checked(() => checked(stored + owns));
            }
        RequireBytes(stored, bytesAfter, "its layers, normalizations and heads");
        return new DeclaredNetwork(architecture, inputSize, classCounts, allocation, stored, (int)tensors, perLevel, activations);
    }

    // What a (task, level) whose hidden layers have the given active widths reads (its blocks of the shared weights, its
    // normalizations and head) and what it owns alone (the normalizations and head): DvnNetwork's slicing and accounting.
    private static (long Reads, long Owns) Counts(DvnArchitecture architecture, int inputSize, int classes, long pooledArea, Func<int, int> activeWidth)
    {
        int convolutions = architecture.ConvolutionChannels.Count, layers = convolutions + architecture.HiddenLayerSizes.Count;
        long reads = 0, owns = 0, inputs = convolutions > 0 ? architecture.ImageChannels : inputSize;
        long last = 0;
        for (int layer = 0; layer < layers; layer++)
        {
            last = activeWidth(layer);
            reads = checked(reads + (layer < convolutions
                ? checked(inputs * last * SlicedConv2d.KernelSize * SlicedConv2d.KernelSize)
                : checked(inputs * last)));
            owns = checked(owns + 4 * last);
            inputs = layer == convolutions - 1 ? checked(last * pooledArea) : last;
        }
        // The head reads the last hidden layer: after a convolution (no fully connected layers), its pooled image flattened.
        long headInputs = layers == convolutions ? checked(last * pooledArea) : last;
        owns = checked(owns + classes * headInputs + classes);
        return (checked(reads + owns), owns);
    }

    private static int Width(DvnArchitecture architecture, int layer)
    {
        int convolutions = architecture.ConvolutionChannels.Count;
        return layer < convolutions ? architecture.ConvolutionChannels[layer] : architecture.HiddenLayerSizes[layer - convolutions];
    }

    private static void RequireBytes(long parameters, long bytesAfter, string what)
    {
        if (parameters > bytesAfter / sizeof(float))
            throw InvalidModel.Error(
                $"the fields of '{ArchitectureSection.Name}' declare a network of at least {parameters} stored numbers in {what} " +
                $"({(decimal)parameters * sizeof(float)} bytes), but only {bytesAfter} bytes follow");
    }

    private static T Checked<T>(Func<T> count)
    {
        try
        {
            return count();
        }
        catch (OverflowException e)
        {
            throw InvalidModel.Error($"the fields of '{ArchitectureSection.Name}' declare a network of more than {long.MaxValue} stored numbers", e);
        }
    }
}
