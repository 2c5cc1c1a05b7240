using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
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
/// <para>Input columns: Features (known-size vector of Single), Label (key), Task (key: task t is key value t) and,
/// at prediction time, MemoryBudget (Single, Double, Int32 or Int64, in parameters; optional).</para>
/// <para>Training reads the data once through a cursor and keeps every row on the training device as tensors:
/// 4 bytes a feature value plus 8 bytes a row (60,000 Fashion-MNIST images take 190 MB). All tasks and all their
/// levels train jointly; progress is logged to the MLContext's log after every epoch.</para>
/// </remarks>
public sealed partial class DvnEstimator : IEstimator<DvnTransformer>
{
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
        var o = _options;
        var host = _env.Register("Dvn");
        var schema = input.Schema;
        var features = InputSchema.Features(schema, o.FeatureColumnName, o.Architecture.RequiredFeatureLength);
        var label = InputSchema.Key(schema, o.LabelColumnName, "label");
        var task = InputSchema.Key(schema, o.TaskColumnName, "task");
        int taskCount = InputSchema.KeyCount(task);
        var rows = TaskRows.Read(input, features, task, label, taskCount);
        var taskKeyValues = KeyValues.Of(task);
        CheckEveryTaskHasRows(rows, taskKeyValues, task.Name);

        var classes = Enumerable.Range(1, taskCount)
            .Select(t => rows.Labels(t).Distinct().Order().Select(k => (uint)k).ToArray()).ToArray();
        int units = o.NumberOfUnits == 0 ? taskCount : o.NumberOfUnits;
        int levelCount = o.NumberOfLevels == 0 ? units : o.NumberOfLevels;
        var allocation = new UnitAllocation(taskCount, units, levelCount);
        long seed = o.Seed ?? ((IHostEnvironmentInternal)_env).Seed ?? host.Rand.Next();
        var device = TorchDevices.Resolve(o.Device);

        var network = new DvnNetwork(o.Architecture, rows.FeatureLength, classes.Select(c => c.Length).ToArray(), allocation, seed);
        try
        {
            network.to(device);
            using var channel = host.Start("Training");
            channel.Info($"DVN: {taskCount} tasks, {units} units, {levelCount} levels, {o.Architecture}, " +
                         $"{network.StoredParameterCount:N0} stored parameters, seed {seed}, device {device.type}, " +
                         $"{Enumerable.Range(1, taskCount).Sum(rows.RowCount):N0} rows.");
            Train(host, channel, network, rows, classes, device, seed);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        var levels = Enumerable.Range(1, taskCount).Select(t => Enumerable.Range(1, levelCount)
            .Select(j => new LevelDescriptor(j, network.ParameterCount(t, j), allocation.Units(t, j).ToArray())).ToArray()).ToArray();
        var model = new DvnModel(network, o.Device, device, DvnColumnNames.From(o), InputSchema.KeyCount(label), KeyValues.Of(label),
            taskCount, taskKeyValues, Enumerable.Range(1, taskCount).ToArray(), classes, levels, o.PredictionBatchSize,
            new DvnTrainingInfo(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.WeightDecay, seed,
                Enumerable.Range(1, taskCount).Select(t => (long)rows.RowCount(t)).ToArray()));
        return new DvnTransformer(_env, model);
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

    private void Train(IHost host, IChannel channel, DvnNetwork network, TaskRows rows, uint[][] classes, Device device, long seed)
    {
        var o = _options;
        var tasks = ToTensors(rows, classes, device);
        TaskData[]? validation = null;
        try
        {
            if (o.ValidationSet is not null)
            {
                var schema = o.ValidationSet.Schema;
                var validationRows = TaskRows.Read(o.ValidationSet,
                    InputSchema.Features(schema, o.FeatureColumnName, rows.FeatureLength),
                    InputSchema.Key(schema, o.TaskColumnName, "task"), InputSchema.Key(schema, o.LabelColumnName, "label"),
                    rows.NumberOfTasks);
                validation = ToTensors(validationRows, classes, device);
            }
            var settings = new DvnTrainingSettings(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.WeightDecay, seed);
            using var cancellation = new CancellationTokenSource();
            // ML.NET cancels through MLContext.CancelExecution, which sets a flag on the environment; poll it.
            using var poll = new Timer(_ => { if (((ICancelable)host).IsCanceled) cancellation.Cancel(); }, null, 100, 100);
            DvnTrainer.Train(network, tasks, settings, validation, report =>
            {
                channel.Info(ProgressText.Describe(report));
                o.EpochCompleted?.Invoke(report);
            }, cancellation.Token);
        }
        finally
        {
            foreach (var data in tasks.Concat(validation ?? Array.Empty<TaskData>()))
                data.Dispose();
        }
    }

    // Labels become each task's own class index; a label the task never had in training becomes -1, never predicted.
    private static TaskData[] ToTensors(TaskRows rows, uint[][] classes, Device device) =>
        Enumerable.Range(1, rows.NumberOfTasks).Select(t =>
        {
            var classOfKey = classes[t - 1].Select((k, c) => (k, c)).ToDictionary(p => (ulong)p.k, p => (long)p.c);
            var labels = rows.Labels(t).Select(k => classOfKey.GetValueOrDefault(k, -1)).ToArray();
            return new TaskData(
                tensor(rows.Features(t).ToArray(), new long[] { rows.RowCount(t), rows.FeatureLength }).to(device),
                tensor(labels).to(device));
        }).ToArray();

    private static void CheckEveryTaskHasRows(TaskRows rows, KeyValues? taskKeyValues, string taskColumn)
    {
        var empty = Enumerable.Range(1, rows.NumberOfTasks).Where(t => rows.RowCount(t) == 0).ToArray();
        if (empty.Length == rows.NumberOfTasks)
            throw new InvalidOperationException("The training data has no rows.");
        if (empty.Length > 0)
            throw new InvalidOperationException(
                $"Column '{taskColumn}': tasks {string.Join(", ", empty.Select(t => taskKeyValues is null ? $"{t}" : $"'{taskKeyValues.Describe((ulong)t)}' (key {t})"))} " +
                $"have no training rows; every one of the column's {rows.NumberOfTasks} task keys needs rows.");
    }

    private static Options Check(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        void Require(bool ok, string option, object? value, string expected)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(nameof(options), $"DvnEstimator.Options.{option} is {value ?? "null"}; expected {expected}.");
        }
        foreach (var (name, value) in new[]
                 {
                     (nameof(options.FeatureColumnName), options.FeatureColumnName), (nameof(options.LabelColumnName), options.LabelColumnName),
                     (nameof(options.TaskColumnName), options.TaskColumnName), (nameof(options.MemoryBudgetColumnName), options.MemoryBudgetColumnName),
                     (nameof(options.ScoreColumnName), options.ScoreColumnName), (nameof(options.PredictedLabelColumnName), options.PredictedLabelColumnName),
                     (nameof(options.LevelColumnName), options.LevelColumnName), (nameof(options.ParameterCountColumnName), options.ParameterCountColumnName),
                 })
            Require(!string.IsNullOrWhiteSpace(value), name, value, "a column name");
        Require(options.Architecture is not null, nameof(options.Architecture), null, "DvnArchitecture.Mlp(...) or DvnArchitecture.Cnn(...)");
        Require(options.NumberOfUnits >= 0, nameof(options.NumberOfUnits), options.NumberOfUnits, "0 (one per task) or more");
        Require(options.NumberOfLevels >= 0, nameof(options.NumberOfLevels), options.NumberOfLevels, "0 (as many as units) or more");
        Require(options.NumberOfEpochs >= 1, nameof(options.NumberOfEpochs), options.NumberOfEpochs, "at least 1");
        Require(options.BatchSize >= 2, nameof(options.BatchSize), options.BatchSize, "at least 2 (batch normalization)");
        Require(options.LearningRate > 0 && double.IsFinite(options.LearningRate), nameof(options.LearningRate), options.LearningRate, "a positive number");
        Require(options.WeightDecay >= 0 && double.IsFinite(options.WeightDecay), nameof(options.WeightDecay), options.WeightDecay, "zero or a positive number");
        Require(options.PredictionBatchSize >= 1, nameof(options.PredictionBatchSize), options.PredictionBatchSize, "at least 1");
        Require(Enum.IsDefined(options.Device), nameof(options.Device), options.Device, "Auto, Cpu or Cuda");
        var distinct = new[] { options.ScoreColumnName, options.PredictedLabelColumnName, options.LevelColumnName, options.ParameterCountColumnName };
        Require(distinct.Distinct().Count() == distinct.Length, "output column names", string.Join(", ", distinct), "four different names");
        return options.Copy();
    }
}
