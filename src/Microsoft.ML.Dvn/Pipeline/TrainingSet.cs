using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// What a fit reads from its data before training: every task's training rows (cached) or their counts (streamed, the
/// rows read again every epoch), validation rows if any, the task and label key domains, and each task's classes: the
/// label keys it has in training, in the order of its head.
/// </summary>
internal sealed class TrainingSet
{
    private readonly CursorTaskRows? _stream;

    private TrainingSet(TaskRows? rows, CursorTaskRows? stream, long[] rowCounts, int featureLength, TaskRows? validation,
        KeyDomain tasks, KeyDomain labels, uint[][] classes)
    {
        Rows = rows;
        _stream = stream;
        RowCounts = rowCounts;
        FeatureLength = featureLength;
        Validation = validation;
        Tasks = tasks;
        Labels = labels;
        Classes = classes;
    }

    /// <summary>The cached rows; null when the rows are streamed.</summary>
    public TaskRows? Rows { get; }

    /// <summary>Rows of task t at index t-1.</summary>
    public long[] RowCounts { get; }

    public int FeatureLength { get; }

    public TaskRows? Validation { get; }

    public KeyDomain Tasks { get; }

    public KeyDomain Labels { get; }

    /// <summary>For task t at index t-1: the label keys of its classes, ascending.</summary>
    public uint[][] Classes { get; }

    public int NumberOfTasks => Tasks.Count;

    /// <summary>
    /// Checks the columns, then reads the training rows (streamed: counts them, reading the task and label columns
    /// only) and, when given, the validation rows (always cached).
    /// </summary>
    public static TrainingSet Read(IDataView training, IDataView? validation, DvnEstimator.Options options, CancellationToken cancellation)
    {
        var schema = training.Schema;
        var features = InputSchema.Features(schema, options.FeatureColumnName, options.Architecture.RequiredFeatureLength);
        var label = InputSchema.Key(schema, options.LabelColumnName, "label");
        var task = InputSchema.Task(schema, options.TaskColumnName);
        var tasks = task is DataViewSchema.Column column ? new KeyDomain(InputSchema.KeyCount(column), KeyValues.Of(column)) : new KeyDomain(1, null);
        int featureLength = ((VectorDataViewType)features.Type).Size;
        TaskRows? rows = null;
        long[] rowCounts;
        IReadOnlyList<IEnumerable<ulong>> labelKeys;
        if (options.TrainingData == DvnTrainingData.Streamed)
        {
            var counts = TaskCounts.Read(training, task, label, tasks.Count, cancellation);
            rowCounts = counts.Rows;
            labelKeys = counts.Labels;
        }
        else
        {
            rows = TaskRows.Read(training, features, task, label, tasks.Count);
            rowCounts = Enumerable.Range(1, tasks.Count).Select(t => (long)rows.RowCount(t)).ToArray();
            labelKeys = Enumerable.Range(1, tasks.Count).Select(t => rows.Labels(t).Distinct()).ToArray();
        }
        CheckEveryTaskHasRows(rowCounts, tasks, task?.Name);

        TaskRows? validationRows = null;
        if (validation is not null)
        {
            var validationSchema = validation.Schema;
            validationRows = TaskRows.Read(validation,
                InputSchema.Features(validationSchema, options.FeatureColumnName, featureLength),
                InputSchema.Task(validationSchema, options.TaskColumnName),
                InputSchema.Key(validationSchema, options.LabelColumnName, "label"), tasks.Count);
        }
        var classes = labelKeys.Select(keys => keys.Order().Select(k => (uint)k).ToArray()).ToArray();
        var stream = rows is null
            ? new CursorTaskRows(training, features, task, label, Enumerable.Range(1, tasks.Count).Select(t => ClassOfKey(classes, t)).ToArray())
            : null;
        return new TrainingSet(rows, stream, rowCounts, featureLength, validationRows, tasks,
            new KeyDomain(InputSchema.KeyCount(label), KeyValues.Of(label)), classes);
    }

    /// <summary>The cached training rows as tensors on <paramref name="device"/>, task t at index t-1 (owned by the caller).</summary>
    public TaskData[] TrainingTensors(Device device) =>
        ToTensors(Rows ?? throw new InvalidOperationException("The training rows are streamed, not cached."), device);

    /// <summary>The streamed training rows' batches, on <paramref name="device"/>.</summary>
    public StreamedBatches StreamedBatches(Device device, int shuffleBufferRows) =>
        new(_stream ?? throw new InvalidOperationException("The training rows are cached, not streamed."), RowCounts, FeatureLength,
            shuffleBufferRows, device);

    /// <summary>The validation rows as tensors, or null without validation data (owned by the caller).</summary>
    public TaskData[]? ValidationTensors(Device device) => Validation is null ? null : ToTensors(Validation, device);

    // Labels become each task's own class index; a label the task never had in training becomes -1, never predicted.
    private TaskData[] ToTensors(TaskRows rows, Device device) =>
        Enumerable.Range(1, rows.NumberOfTasks).Select(t =>
        {
            var classOfKey = ClassOfKey(Classes, t);
            var labels = rows.Labels(t).Select(k => classOfKey.GetValueOrDefault(k, -1)).ToArray();
            return new TaskData(
                tensor(rows.Features(t).ToArray(), new long[] { rows.RowCount(t), rows.FeatureLength }).to(device),
                tensor(labels).to(device));
        }).ToArray();

    private static Dictionary<ulong, long> ClassOfKey(uint[][] classes, int task) =>
        classes[task - 1].Select((k, c) => (k, c)).ToDictionary(p => (ulong)p.k, p => (long)p.c);

    private static void CheckEveryTaskHasRows(long[] rowCounts, KeyDomain tasks, string? taskColumn)
    {
        var empty = Enumerable.Range(1, rowCounts.Length).Where(t => rowCounts[t - 1] == 0).ToArray();
        if (empty.Length == rowCounts.Length)
            throw new InvalidOperationException("The training data has no rows.");
        if (empty.Length > 0)
            throw new InvalidOperationException(
                $"Column '{taskColumn}': tasks {string.Join(", ", empty.Select(t => tasks.Values is null ? $"{t}" : tasks.Describe((ulong)t)))} " +
                $"have no training rows; every one of the column's {rowCounts.Length} task keys needs rows.");
    }
}
