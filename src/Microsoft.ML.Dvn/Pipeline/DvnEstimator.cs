using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
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
        var host = _env.Register("Dvn");
        DvnRuntime.InitializeAndLog(host, _options.NumberOfThreads);
        var data = TrainingSet.Read(input, _options.ValidationSet, _options);
        long seed = _options.Seed ?? ((IHostEnvironmentInternal)_env).Seed ?? host.Rand.Next();
        var device = TorchDevices.Resolve(_options.Device, _options.GpuDeviceId, _env, TorchDevices.WarningsTo(host));
        var network = BuildNetwork(data, seed);
        try
        {
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

    private DvnNetwork BuildNetwork(TrainingSet data, long seed)
    {
        int units = _options.NumberOfUnits == 0 ? data.NumberOfTasks : _options.NumberOfUnits;
        int levels = _options.NumberOfLevels == 0 ? units : _options.NumberOfLevels;
        return new DvnNetwork(_options.Architecture, data.Rows.FeatureLength, data.Classes.Select(c => c.Length).ToArray(),
            new UnitAllocation(data.NumberOfTasks, units, levels), seed);
    }

    private void Train(IHost host, DvnNetwork network, TrainingSet data, Device device, long seed)
    {
        var o = _options;
        using var channel = host.Start("Training");
        channel.Info($"DVN: {data.NumberOfTasks} tasks, {network.Allocation.NumberOfUnits} units, {network.NumberOfLevels} levels, " +
                     $"{o.Architecture}, {network.StoredParameterCount:N0} stored parameters, seed {seed}, device {device.type}, " +
                     $"{Enumerable.Range(1, data.NumberOfTasks).Sum(data.Rows.RowCount):N0} rows.");
        var tasks = data.TrainingTensors(device);
        var validation = data.ValidationTensors(device);
        try
        {
            var settings = new DvnTrainingSettings(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.WeightDecay, seed);
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(o.Cancellation);
            using var poll = CancellationPolling.Start(() => ((ICancelable)host).IsCanceled, cancellation);
            DvnTrainer.Train(network, tasks, settings, validation, report =>
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

    private DvnModel AssembleModel(DvnNetwork network, Device device, TrainingSet data, long seed)
    {
        var o = _options;
        var served = Enumerable.Range(1, data.NumberOfTasks).Select(t => new ServedTask(t, data.Classes[t - 1],
            Enumerable.Range(1, network.NumberOfLevels)
                .Select(j => new LevelDescriptor(j, network.ParameterCount(t, j), network.Allocation.Units(t, j).ToArray())).ToArray())).ToArray();
        var columns = new DvnColumnNames(o.FeatureColumnName, o.LabelColumnName, o.TaskColumnName, o.MemoryBudgetColumnName,
            o.ScoreColumnName, o.PredictedLabelColumnName, o.LevelColumnName, o.ParameterCountColumnName);
        var training = new DvnTrainingInfo(o.NumberOfEpochs, o.BatchSize, o.LearningRate, o.WeightDecay, seed,
            Enumerable.Range(1, data.NumberOfTasks).Select(t => (long)data.Rows.RowCount(t)).ToArray());
        return new DvnModel(network, device, columns, data.Labels, data.Tasks, served,
            new PredictionSettings(o.PredictionBatchSize, o.Device), training);
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
        Require(options.GpuDeviceId is null or >= 0, nameof(options.GpuDeviceId), options.GpuDeviceId, "null (the MLContext's) or a CUDA device index, 0 or more");
        Require(options.NumberOfThreads is null or >= 1, nameof(options.NumberOfThreads), options.NumberOfThreads, "null (libtorch's default) or at least 1");
        var distinct = new[] { options.ScoreColumnName, options.PredictedLabelColumnName, options.LevelColumnName, options.ParameterCountColumnName };
        Require(distinct.Distinct().Count() == distinct.Length, "output column names", string.Join(", ", distinct), "four different names");
        return options.Copy();
    }
}
