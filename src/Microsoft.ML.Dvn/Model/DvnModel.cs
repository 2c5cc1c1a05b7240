using Microsoft.ML.Dvn.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Model;

/// <summary>
/// Everything a fitted DVN transformer holds: the network on its device, and what maps ML.NET's keys to the
/// network's tasks, classes and levels. Immutable after construction; owns the network (freed with it by the garbage collector).
/// </summary>
/// <remarks>
/// The network's tasks and levels are 1-based indices; the model maps them to what users see: the task key that
/// network task i+1 serves (<see cref="Served"/>[i]) and each level's number. For a full model both maps are the
/// identity; an extracted sub-network serves one task at one level.
/// </remarks>
internal sealed class DvnModel
{
    private readonly Dictionary<ulong, int> _networkTaskOfKey;

    /// <param name="network">The trained network (owned from now on).</param>
    /// <param name="device">Where the network's tensors are.</param>
    /// <param name="columns">The columns read and written.</param>
    /// <param name="labels">The label column's keys: the Score vector has one slot a key.</param>
    /// <param name="tasks">The task column's keys in training.</param>
    /// <param name="served">What each network task serves, network task i+1 at index i.</param>
    /// <param name="prediction">Prediction settings.</param>
    /// <param name="training">How the network was trained.</param>
    public DvnModel(DvnNetwork network, Device device, DvnColumnNames columns, KeyDomain labels, KeyDomain tasks,
        IReadOnlyList<ServedTask> served, PredictionSettings prediction, DvnTrainingInfo training)
    {
        if (served.Count != network.NumberOfTasks)
            throw new ArgumentException($"{served.Count} served tasks given for a network of {network.NumberOfTasks} tasks.", nameof(served));
        for (int i = 0; i < served.Count; i++)
            if (served[i].Classes.Length != network.ClassCounts[i] || served[i].Levels.Length != network.NumberOfLevels)
                throw new ArgumentException(
                    $"Task {served[i].Key}: {served[i].Classes.Length} classes and {served[i].Levels.Length} levels do not fit the network.", nameof(served));
        Network = network;
        Device = device;
        Columns = columns;
        Labels = labels;
        Tasks = tasks;
        Served = served;
        Prediction = prediction;
        Training = training;
        Predictor = new LevelPredictor(network, device);
        _networkTaskOfKey = served.Select((task, i) => (task.Key, i)).ToDictionary(p => (ulong)p.Key, p => p.i + 1);
    }

    public DvnNetwork Network { get; }

    /// <summary>This model with its network on <paramref name="device"/>. The network moves: use only the model returned.</summary>
    public DvnModel On(Device device)
    {
        if (device.type == Device.type && device.index == Device.index)
            return this;
        Network.to(device);
        return new DvnModel(Network, device, Columns, Labels, Tasks, Served, Prediction, Training);
    }

    /// <summary>Where the network runs now (<see cref="PredictionSettings.RequestedDevice"/> is what the user asked for).</summary>
    public Device Device { get; }

    public LevelPredictor Predictor { get; }

    public DvnColumnNames Columns { get; }

    /// <summary>The label column's keys (all tasks' labels): the length of the Score vector.</summary>
    public KeyDomain Labels { get; }

    /// <summary>The task column's keys the model was trained with.</summary>
    public KeyDomain Tasks { get; }

    /// <summary>Network task i+1 serves <see cref="Served"/>[i].</summary>
    public IReadOnlyList<ServedTask> Served { get; }

    public PredictionSettings Prediction { get; }

    public DvnTrainingInfo Training { get; }

    /// <summary>The task keys served, in network task order.</summary>
    public int[] ServedTaskKeys => Served.Select(t => t.Key).ToArray();

    /// <summary>What network task <paramref name="networkTask"/> (1-based) serves.</summary>
    public ServedTask Task(int networkTask) => Served[networkTask - 1];

    /// <summary>The network task (1-based) that serves a task key, or 0 when the model does not serve it.</summary>
    public int NetworkTask(ulong taskKey) => _networkTaskOfKey.GetValueOrDefault(taskKey);

    /// <summary>A task key as users know it: its value where the task column had values, its key otherwise.</summary>
    public string DescribeTask(ulong taskKey) => Tasks.Describe(taskKey);

    /// <summary>The served tasks as users know them, for messages.</summary>
    public string DescribeServedTasks() => string.Join(", ", Served.Select(t => DescribeTask((ulong)t.Key)));
}
