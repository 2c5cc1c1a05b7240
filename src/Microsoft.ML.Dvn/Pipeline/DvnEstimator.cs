using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Pipeline;
using Microsoft.ML.Dvn.Training;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn;

/// <summary>
/// Trains a deep virtual network: one physical network whose units are shared by several classification tasks, with
/// nested levels of growing size for every task. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.Dvn(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input columns: Features (known-size vector of Single), Label (key), Task (key: task t is key value t; none
/// for a single-task model, <see cref="Options.TaskColumnName"/> = null) and, at prediction time, optional budgets
/// (Single, Double, Int32 or Int64): MemoryBudget in parameters, MemoryBudgetBytes in bytes and LatencyBudget in
/// microseconds (<see cref="DvnBudgetUnit"/>).</para>
/// <para>By default training reads the data once through a cursor and keeps every row on the training device as
/// tensors: 4 bytes a feature value plus 8 bytes a row (60,000 Fashion-MNIST images take 190 MB). For data larger than
/// memory, <see cref="Options.TrainingData"/> = <see cref="DvnTrainingData.Streamed"/> reads the rows again every epoch
/// through cursors, shuffled in a bounded buffer. All tasks and all their levels train jointly; progress is logged to
/// the MLContext's log after every epoch.</para>
/// </remarks>
public sealed partial class DvnEstimator : IEstimator<DvnTransformer>
{
    // Default units of a single task: three levels of a third, two thirds and all of every hidden width.
    private const int SingleTaskUnits = 3;

    // How errors name an option: DvnEstimator.Options.NumberOfEpochs.
    private const string OptionsName = $"{nameof(DvnEstimator)}.{nameof(Options)}";

    private readonly IHostEnvironment _env;
    private readonly Options _options;

    internal DvnEstimator(IHostEnvironment env, Options options)
    {
        _env = env ?? throw new ArgumentNullException(nameof(env));
        _options = Check(options);
    }

    /// <summary>Trains the network on <paramref name="input"/> and returns the fitted transformer.</summary>
    public DvnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var host = _env.Register("Dvn");
        if (_options.Probe is { } probe)
        {
            using var probing = new HostCancellation(host, _options.Cancellation);
            probe(DvnDataSummary.Read(input, _options, probing.Token));
        }
        DvnRuntime.InitializeAndLog(host, _options.NumberOfThreads);
        TrainingSet data;
        using (var cancellation = new HostCancellation(host, _options.Cancellation))
            data = TrainingSet.Read(input, _options.ValidationSet, _options, cancellation.Token);
        RequireLoadable(data);
        long seed = _options.Seed ?? ((IHostEnvironmentInternal)_env).Seed ?? host.Rand.Next();
        var device = TorchDevices.Resolve(_options.Device, _options.GpuDeviceId, _env, TorchDevices.WarningsTo(host));
        var network = BuildNetwork(host, data, seed, device);
        try
        {
            RequireLoadable(network);
            network.to(device);
            Train(host, network, data, device, seed);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new DvnTransformer(_env, AssembleModel(network, device, data, seed));
    }

    /// <summary>
    /// The schema after <see cref="Fit"/> and transform: the input's columns plus Score (vector of Single),
    /// PredictedLabel (the label's key type), Level (UInt32) and ParameterCount (Int64). Checks the input columns.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return OutputSchemaShape.Create(inputSchema, _options);
    }

    private DvnNetwork BuildNetwork(IHost host, TrainingSet data, long seed, Device device)
    {
        var (units, levels) = CheckStructure(_options, data.NumberOfTasks);
        var order = _options.TaskOrder == DvnTaskOrder.Affinity ? MeasuredTaskOrder(host, data, units, levels, seed, device)
            : _options.TaskUnitOrder is { } names ? OrderByName(names, data.Tasks, _options.TaskColumnName)
            : null;
        return new DvnNetwork(_options.Architecture, data.FeatureLength, data.Classes.Select(c => c.Length).ToArray(),
            new UnitAllocation(data.NumberOfTasks, units, levels, order), seed);
    }

    /// <summary>
    /// Why <paramref name="options"/> cannot train a DVN on data of <paramref name="tasks"/> tasks, or null when they
    /// can as far as the options and the task count decide (the data can still refuse: feature length, rows, classes).
    /// The trainer's own rules, for a sweep to ask before it trains.
    /// </summary>
    internal static string? Inadmissible(Options options, int tasks)
    {
        try
        {
            CheckStructure(Check(options), tasks);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>The units K and levels L of a fit on <paramref name="tasks"/> tasks: 0 resolved as the options' docs say.</summary>
    internal static (int Units, int Levels) UnitsAndLevels(Options options, int tasks)
    {
        int units = options.NumberOfUnits != 0 ? options.NumberOfUnits
            : tasks > 1 ? tasks
            : Math.Min(SingleTaskUnits, options.Architecture.NarrowestLayer);
        return (units, options.NumberOfLevels == 0 ? units : options.NumberOfLevels);
    }

    // The rules that need the task count: levels within the units, every unit a channel of every layer, a weight a
    // level, a task order of every task. The allocation and the network apply their own checks.
    private static (int Units, int Levels) CheckStructure(Options options, int tasks)
    {
        var (units, levels) = UnitsAndLevels(options, tasks);
        _ = new UnitAllocation(tasks, units, levels);
        DvnNetwork.CheckUnitsFit(options.Architecture, units);
        if (TrainingRules.LevelWeightCount(options.LevelWeights, levels) is { } count)
            throw new ArgumentOutOfRangeException(nameof(Options.LevelWeights), $"{OptionsName}.{count}");
        if (options.TaskUnitOrder is { } names && names.Length != tasks)
            throw new ArgumentOutOfRangeException(nameof(Options.TaskUnitOrder),
                $"DvnEstimator.Options.TaskUnitOrder lists {names.Length} tasks ({string.Join(", ", names)}); the data has {tasks}, each listed once.");
        return (units, levels);
    }

    // The task column's names, in the order the options list them, as a task order of keys.
    private static TaskOrder OrderByName(string[] names, KeyDomain tasks, string? taskColumn)
    {
        var keyOfName = Enumerable.Range(1, tasks.Count).ToDictionary(k => tasks.Name((ulong)k), k => k);
        var order = names.Select(name => keyOfName.TryGetValue(name, out int key) ? key
            : throw new ArgumentOutOfRangeException(nameof(Options.TaskUnitOrder),
                $"DvnEstimator.Options.TaskUnitOrder names task '{name}', which column '{taskColumn}' does not have; its tasks are " +
                $"{string.Join(", ", keyOfName.Keys.Select(n => $"'{n}'"))}.")).ToArray();
        return order.Distinct().Count() == order.Length ? new TaskOrder(order)
            : throw new ArgumentOutOfRangeException(nameof(Options.TaskUnitOrder),
                $"DvnEstimator.Options.TaskUnitOrder lists a task twice ({string.Join(", ", names)}); list every task once.");
    }

    // With one task or one unit every order allocates the same units: nothing to measure.
    private TaskOrder? MeasuredTaskOrder(IHost host, TrainingSet data, int units, int levels, long seed, Device device)
    {
        if (data.NumberOfTasks == 1 || units == 1)
            return null;
        using var channel = host.Start("Task affinity");
        var tasks = data.TrainingTensors(device);
        try
        {
            using var cancellation = new HostCancellation(host, _options.Cancellation);
            var measured = TaskAffinity.Measure(_options.Architecture, tasks, _options.BatchSize, _options.LearningRate, seed, cancellation.Token);
            var order = TaskArrangement.Choose(measured.Affinity, measured.CanonicalRank, units, levels);
            channel.Info($"Task affinity (cosine similarity of the tasks' gradients on the shared weights after a warm-up): " +
                         string.Join("; ", Enumerable.Range(0, data.NumberOfTasks).Select(a =>
                             $"task {a + 1}: " + string.Join(" ", Enumerable.Range(0, data.NumberOfTasks).Select(b => $"{measured.Affinity[a, b]:F3}")))) +
                         $". Tasks along the units: {order}.");
            return order;
        }
        finally
        {
            foreach (var task in tasks)
                task.Dispose();
        }
    }

    private void Train(IHost host, DvnNetwork network, TrainingSet data, Device device, long seed)
    {
        var o = _options;
        using var channel = host.Start("Training");
        channel.Info($"DVN: {data.NumberOfTasks} tasks, {network.Allocation.NumberOfUnits} units, {network.NumberOfLevels} levels, " +
                     $"{o.Architecture}, {network.StoredParameterCount:N0} stored parameters, seed {seed}, device {device.type}, " +
                     $"{data.RowCounts.Sum():N0} rows, {o.TrainingData.ToString().ToLowerInvariant()}.");
        bool streamed = o.TrainingData == DvnTrainingData.Streamed;
        var tasks = streamed ? Array.Empty<TaskData>() : data.TrainingTensors(device);
        IBatchSource batches = streamed ? data.StreamedBatches(device, o.ShuffleBufferRows) : new CachedBatches(tasks);
        var validation = data.ValidationTensors(device);
        try
        {
            using var cancellation = new HostCancellation(host, o.Cancellation);
            TrainingLoop.Train(network, batches, TrainingSettings(o, seed), validation, report =>
            {
                channel.Info(ProgressText.Describe(report));
                o.EpochCompleted?.Invoke(report);
            }, cancellation.Token);
        }
        finally
        {
            foreach (var task in tasks.Concat(validation ?? Array.Empty<TaskData>()))
                task.Dispose();
        }
    }

    // The options the training loop reads, under the same names.
    private static DvnTrainingSettings TrainingSettings(Options o, long seed) =>
        new(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.WeightDecay, seed, LevelWeights: o.LevelWeights,
            DistillationWeight: o.DistillationWeight, LearningRateSchedule: o.LearningRateSchedule, BatchOrder: o.BatchOrder,
            Continuation: o.Continuation);

    // What the model reader enforces (ModelLimits), checked before training: a model that trains must save and load.
    private void RequireLoadable(TrainingSet data)
    {
        int maxClasses = data.Classes.Max(c => c.Length);
        if (_options.PredictionBatchSize > ModelLimits.LargestPredictionBatch(data.FeatureLength, maxClasses))
            throw new ArgumentOutOfRangeException(nameof(Options.PredictionBatchSize),
                $"DvnEstimator.Options.PredictionBatchSize is {_options.PredictionBatchSize}; for {data.FeatureLength} features and " +
                $"{maxClasses} classes expected {ModelLimits.PredictionBatchExpected(data.FeatureLength, maxClasses)}, or the saved model would not load.");
        foreach (var (column, keys) in new[] { (_options.LabelColumnName, data.Labels.Count), (_options.TaskColumnName ?? "(none)", data.Tasks.Count) })
            if (keys > ModelLimits.MaxKeys)
                throw new ArgumentOutOfRangeException(nameof(Options),
                    $"Column '{column}' has a key type of {keys} keys; a DVN model holds at most {ModelLimits.MaxKeys}, or the saved model would not load.");
    }

    private static void RequireLoadable(DvnNetwork network)
    {
        long tensors = network.parameters().Count() + network.buffers().Count();
        if (tensors > ModelLimits.MaxTensors)
            throw new ArgumentOutOfRangeException(nameof(Options),
                $"The network has {tensors} weight and statistics tensors (every (task, level) owns four per hidden layer and two for its head); " +
                $"a saved model holds at most {ModelLimits.MaxTensors}: use fewer tasks, levels or hidden layers.");
        long bytes = network.StoredParameterCount * sizeof(float);
        long limit = Math.Min(ModelLimits.MaxPayloadBytes, ModelSizeLimit.Limit);
        if (bytes > limit)
            throw new ArgumentOutOfRangeException(nameof(Options),
                $"The network stores {network.StoredParameterCount} numbers ({bytes} bytes); a model loads with at most {limit} bytes " +
                $"(DvnRuntime.MaxModelBytes, at most {ModelLimits.MaxPayloadBytes}): use narrower layers, or raise DvnRuntime.MaxModelBytes.");
    }

    private DvnModel AssembleModel(DvnNetwork network, Device device, TrainingSet data, long seed)
    {
        var o = _options;
        var served = Enumerable.Range(1, data.NumberOfTasks).Select(t => new ServedTask(t, data.Classes[t - 1],
            Enumerable.Range(1, network.NumberOfLevels)
                .Select(j => new LevelDescriptor(j, network.ParameterCount(t, j), network.Allocation.Units(t, j).ToArray(),
                    network.ActivationValuesPerRow(t, j))).ToArray())).ToArray();
        var columns = new DvnColumnNames(o.FeatureColumnName, o.LabelColumnName, o.TaskColumnName, o.MemoryBudgetColumnName,
            o.ScoreColumnName, o.PredictedLabelColumnName, o.LevelColumnName, o.ParameterCountColumnName)
        {
            MemoryBudgetBytes = o.MemoryBudgetBytesColumnName,
            LatencyBudget = o.LatencyBudgetColumnName,
        };
        var training = new DvnTrainingInfo(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.WeightDecay, seed,
            data.RowCounts.ToArray(),
            o.LevelWeights?.ToArray() ?? Enumerable.Repeat(1.0, network.NumberOfLevels).ToArray(), o.DistillationWeight,
            o.LearningRateSchedule, o.BatchOrder, o.TaskOrder, network.Allocation.Order.TasksByPosition.ToArray());
        return new DvnModel(network, device, columns, data.Labels, data.Tasks, served,
            new PredictionSettings(o.PredictionBatchSize, o.Device), training);
    }

    private static Options Check(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        void Require(bool ok, string option, object? value, string expected)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(nameof(options), $"{OptionsName}.{option} is {value ?? "null"}; expected {expected}.");
        }
        foreach (var (name, value) in new[]
                 {
                     (nameof(options.FeatureColumnName), options.FeatureColumnName), (nameof(options.LabelColumnName), options.LabelColumnName),
                     (nameof(options.MemoryBudgetColumnName), options.MemoryBudgetColumnName),
                     (nameof(options.MemoryBudgetBytesColumnName), options.MemoryBudgetBytesColumnName),
                     (nameof(options.LatencyBudgetColumnName), options.LatencyBudgetColumnName),
                     (nameof(options.ScoreColumnName), options.ScoreColumnName), (nameof(options.PredictedLabelColumnName), options.PredictedLabelColumnName),
                     (nameof(options.LevelColumnName), options.LevelColumnName), (nameof(options.ParameterCountColumnName), options.ParameterCountColumnName),
                 })
            Require(!string.IsNullOrWhiteSpace(value), name, value, "a column name");
        Require(options.TaskColumnName is null || !string.IsNullOrWhiteSpace(options.TaskColumnName), nameof(options.TaskColumnName),
            $"'{options.TaskColumnName}'", "a column name, or null for a single-task model");
        Require(options.Architecture is not null, nameof(options.Architecture), null, "DvnArchitecture.Mlp(...) or DvnArchitecture.Cnn(...)");
        Require(options.NumberOfUnits >= 0, nameof(options.NumberOfUnits), options.NumberOfUnits, "0 (one per task) or more");
        Require(options.NumberOfLevels >= 0, nameof(options.NumberOfLevels), options.NumberOfLevels, "0 (as many as units) or more");
        // The training rules (TrainingRules) are the training loop's and the model reader's too.
        if ((TrainingRules.FirstBroken(TrainingSettings(options, seed: 0)) ?? TrainingRules.TaskOrder.Broken(options.TaskOrder)) is { } broken)
            throw new ArgumentOutOfRangeException(nameof(options), $"{OptionsName}.{broken}");
        Require(Enum.IsDefined(options.TrainingData), nameof(options.TrainingData), options.TrainingData, "Cached or Streamed");
        Require(options.ShuffleBufferRows >= 1, nameof(options.ShuffleBufferRows), options.ShuffleBufferRows, "at least 1");
        // The affinity measurement orders every row of a task by a hash of its features: it needs them all in memory.
        Require(options.TaskOrder != DvnTaskOrder.Affinity || options.TrainingData == DvnTrainingData.Cached, nameof(options.TaskOrder),
            options.TaskOrder, "TaskKeys with TrainingData Streamed (Affinity reads every row into memory)");
        Require(options.TaskUnitOrder is null || options.TaskOrder == DvnTaskOrder.TaskKeys, nameof(options.TaskUnitOrder),
            options.TaskUnitOrder is null ? null : string.Join(", ", options.TaskUnitOrder), "null with TaskOrder Affinity (the measured order decides)");
        Require(options.TaskUnitOrder is null || options.TaskUnitOrder.All(n => n is not null), nameof(options.TaskUnitOrder),
            "a list holding null", "task names");
        Require(options.PredictionBatchSize is >= 1 and <= ModelLimits.MaxPredictionBatchSize, nameof(options.PredictionBatchSize),
            options.PredictionBatchSize, $"1 to {ModelLimits.MaxPredictionBatchSize} (the largest batch a saved model loads with)");
        Require(Enum.IsDefined(options.Device), nameof(options.Device), options.Device, "Auto, Cpu or Cuda");
        Require(options.GpuDeviceId is null or >= 0, nameof(options.GpuDeviceId), options.GpuDeviceId, "null (the MLContext's) or a CUDA device index, 0 or more");
        Require(options.NumberOfThreads is null || options.NumberOfThreads >= 1 && options.NumberOfThreads <= IntraOpThreads.Max,
            nameof(options.NumberOfThreads), options.NumberOfThreads, IntraOpThreads.Expected);
        var distinct = new[] { options.ScoreColumnName, options.PredictedLabelColumnName, options.LevelColumnName, options.ParameterCountColumnName };
        Require(distinct.Distinct().Count() == distinct.Length, "output column names", string.Join(", ", distinct), "four different names");
        var budgets = new[] { options.MemoryBudgetColumnName, options.MemoryBudgetBytesColumnName, options.LatencyBudgetColumnName };
        Require(budgets.Distinct().Count() == budgets.Length, "MemoryBudgetColumnName, MemoryBudgetBytesColumnName and LatencyBudgetColumnName",
            string.Join(", ", budgets), "three different names (one column a budget unit)");
        return options.Copy();
    }
}
