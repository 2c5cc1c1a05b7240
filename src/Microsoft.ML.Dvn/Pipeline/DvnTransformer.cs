using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Pipeline;
using Microsoft.ML.Runtime;
using TorchSharp;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn;

/// <summary>
/// A fitted deep virtual network: adds Score, PredictedLabel, Level and ParameterCount columns, each row predicted by
/// the highest level of its task that fits its memory budget. Made by <see cref="DvnEstimator.Fit"/>.
/// </summary>
/// <remarks>
/// The network's weights live in native (libtorch) memory, owned by this transformer and freed with it by the garbage
/// collector. The transformer is deliberately not <see cref="IDisposable"/>: ML.NET's PredictionEngine disposes a
/// disposable transformer when the engine is disposed, which would destroy a model that the application still uses.
/// The transformer is safe to use from several threads. Scores of Transform (batched) and of a PredictionEngine (one
/// row) agree to float rounding; predicted labels, levels and parameter counts are the same.
/// </remarks>
public sealed partial class DvnTransformer : ITransformer
{
    private readonly IHostEnvironment _env;

    internal DvnTransformer(IHostEnvironment env, DvnModel model)
    {
        _env = env;
        Model = model;
    }

    internal DvnModel Model { get; }

    /// <summary>The tasks this transformer serves (all tasks of the training data, or one for an extracted sub-network).</summary>
    public int NumberOfTasks => Model.Served.Count;

    /// <summary>Levels of every task's virtual network.</summary>
    public int NumberOfLevels => Model.Network.NumberOfLevels;

    /// <summary>Every number the physical network stores: shared weights and every (task, level)'s normalizations and head.</summary>
    public long StoredParameterCount => Model.Network.StoredParameterCount;

    /// <summary>How the network was trained (for an extracted sub-network: how the network it came from was).</summary>
    public DvnTrainingInfo Training => Model.Training;

    /// <summary>The task keys (1-based values of the task column) this transformer serves.</summary>
    public IReadOnlyList<int> Tasks => Model.ServedTaskKeys;

    /// <summary>The task column's value for a task key (the task's name), or the key itself where the column had no values.</summary>
    /// <param name="task">The task key (1-based value of the task column).</param>
    public string GetTaskName(int task)
    {
        if (task < 1 || task > Model.Tasks.Count)
            throw new ArgumentOutOfRangeException(nameof(task), $"Task {task} does not exist: the task column had keys 1..{Model.Tasks.Count}.");
        return Model.Tasks.Name((ulong)task);
    }

    /// <summary>The levels of a task, smallest first: their sizes and units.</summary>
    /// <param name="task">The task key (1-based value of the task column).</param>
    public IReadOnlyList<DvnLevelInfo> GetLevels(int task)
    {
        int networkTask = task > 0 ? Model.NetworkTask((ulong)task) : 0;
        if (networkTask == 0)
            throw new ArgumentOutOfRangeException(nameof(task),
                $"Task {task} is not served by this transformer; it serves {string.Join(", ", Model.ServedTaskKeys)}.");
        var latencies = BoundLatencies;
        return Model.Task(networkTask).Levels.Select((l, j) => new DvnLevelInfo(task, l.Level, l.ParameterCount, l.Units)
        {
            MemoryBytes = l.MemoryBytes,
            ActivationBytes = l.ActivationBytes,
            LatencyMicroseconds = latencies?.Microseconds(networkTask, j + 1),
        }).ToArray();
    }

    /// <summary>
    /// Accuracy and log-loss of every (task, level) on <paramref name="data"/>, which needs the training's feature,
    /// label and task columns; every row goes through every level of its task, whatever its budget. Tasks without rows
    /// in the data are left out. A row whose label key is missing (a label MapValueToKey did not see in training,
    /// as in a held-out part of data with a rare class) counts as predicted wrong, with log-loss -ln(1e-15).
    /// </summary>
    public IReadOnlyList<DvnLevelMetrics> EvaluateLevels(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return LevelEvaluator.Evaluate(Model, data, Model.Columns.Label);
    }

    /// <summary>
    /// A transformer that serves only <paramref name="task"/> at <paramref name="level"/> and stores only what that
    /// level reads: compact copies of its weight blocks, its normalizations and its head. Its
    /// <see cref="StoredParameterCount"/> equals that level's ParameterCount; it predicts that task exactly as this
    /// transformer does at that level, saves and loads like any DVN transformer (a smaller file), and fails clearly on
    /// rows of other tasks or budgets below its size.
    /// </summary>
    /// <param name="task">The task key (1-based value of the task column).</param>
    /// <param name="level">The level, 1-based, as in <see cref="GetLevels"/>.</param>
    public DvnTransformer ExtractSubnetwork(int task, int level)
    {
        var levels = GetLevels(task);
        int index = levels.ToList().FindIndex(l => l.Level == level);
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(level),
                $"Task {task} has no level {level}; its levels are {string.Join(", ", levels.Select(l => l.Level))}.");
        int networkTask = Model.NetworkTask((ulong)task);
        var network = Model.Network.ExtractLevel(networkTask, index + 1);
        network.to(Model.Device);
        network.eval();
        var served = Model.Task(networkTask);
        var extracted = new DvnModel(network, Model.Device, Model.Columns, Model.Labels, Model.Tasks,
            new[] { served with { Levels = new[] { served.Levels[index] } } }, Model.Prediction, Model.Training);
        return new DvnTransformer(_env, extracted);
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new BoundSchema(Model, inputSchema, BoundLatencies).Output;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new DvnRowMapper(new BoundSchema(Model, inputSchema, BoundLatencies));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new DvnDataView(new BoundSchema(Model, input.Schema, BoundLatencies), input);
    }
}
