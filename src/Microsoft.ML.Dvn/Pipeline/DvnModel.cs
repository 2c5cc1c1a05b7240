using Microsoft.ML.Dvn.Network;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// Everything a fitted DVN transformer holds: the network on its device, and what maps ML.NET's keys to the
/// network's tasks, classes and levels. Immutable after construction; owns the network (freed with it by the garbage collector).
/// </summary>
/// <remarks>
/// The network's tasks and levels are 1-based indices; the model maps them to what users see: the task key that
/// each network task serves (<see cref="ServedTasks"/>) and each level's number (<see cref="Levels"/>). For a full
/// model both maps are the identity; an extracted sub-network serves one task at one level.
/// </remarks>
internal sealed class DvnModel
{
    private readonly Dictionary<ulong, int> _networkTaskOfKey;

    public DvnModel(DvnNetwork network, DvnDevice requestedDevice, Device device, DvnColumnNames columns, int labelKeyCount, KeyValues? labelKeyValues,
        int taskKeyCount, KeyValues? taskKeyValues, int[] servedTasks, uint[][] classes, LevelDescriptor[][] levels,
        int predictionBatchSize, DvnTrainingInfo training)
    {
        if (servedTasks.Length != network.NumberOfTasks || classes.Length != network.NumberOfTasks || levels.Length != network.NumberOfTasks)
            throw new ArgumentException("Served tasks, classes and levels must describe every task of the network.");
        for (int i = 0; i < classes.Length; i++)
            if (classes[i].Length != network.ClassCounts[i] || levels[i].Length != network.NumberOfLevels)
                throw new ArgumentException($"Task {servedTasks[i]}: {classes[i].Length} classes and {levels[i].Length} levels do not fit the network.");
        Network = network;
        RequestedDevice = requestedDevice;
        Device = device;
        Columns = columns;
        LabelKeyCount = labelKeyCount;
        LabelKeyValues = labelKeyValues;
        TaskKeyCount = taskKeyCount;
        TaskKeyValues = taskKeyValues;
        ServedTasks = servedTasks;
        Classes = classes;
        Levels = levels;
        PredictionBatchSize = predictionBatchSize;
        Training = training;
        Predictor = new LevelPredictor(network, device);
        _networkTaskOfKey = servedTasks.Select((key, i) => (key, i)).ToDictionary(p => (ulong)p.key, p => p.i + 1);
    }

    public DvnNetwork Network { get; }

    /// <summary>The device the user asked for (saved with the model); <see cref="Device"/> is where it runs now.</summary>
    public DvnDevice RequestedDevice { get; }

    public Device Device { get; }

    public LevelPredictor Predictor { get; }

    public DvnColumnNames Columns { get; }

    /// <summary>Keys of the label column (all tasks' labels): the length of the Score vector.</summary>
    public int LabelKeyCount { get; }

    public KeyValues? LabelKeyValues { get; }

    /// <summary>Keys of the task column the model was trained with.</summary>
    public int TaskKeyCount { get; }

    public KeyValues? TaskKeyValues { get; }

    /// <summary>The task key served by network task i+1.</summary>
    public int[] ServedTasks { get; }

    /// <summary>For network task i+1, the label key (1-based) of each of its classes, in the head's order.</summary>
    public uint[][] Classes { get; }

    /// <summary>For network task i+1, its levels from smallest to largest.</summary>
    public LevelDescriptor[][] Levels { get; }

    public int PredictionBatchSize { get; }

    public DvnTrainingInfo Training { get; }

    /// <summary>The network task (1-based) that serves a task key, or 0 when the model does not serve it.</summary>
    public int NetworkTask(ulong taskKey) => _networkTaskOfKey.GetValueOrDefault(taskKey);

    /// <summary>A task key as users know it: its value where the task column had values, its key otherwise.</summary>
    public string DescribeTask(ulong taskKey) =>
        TaskKeyValues is null ? $"{taskKey}" : $"'{TaskKeyValues.Describe(taskKey)}' (key {taskKey})";
}
