using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// What a fit reads from its data, once: every task's training rows (and validation rows, if any), the task and label
/// key domains, and each task's classes: the label keys it has in training, in the order of its head.
/// </summary>
internal sealed class TrainingSet
{
    private TrainingSet(TaskRows rows, TaskRows? validation, KeyDomain tasks, KeyDomain labels, uint[][] classes)
    {
        Rows = rows;
        Validation = validation;
        Tasks = tasks;
        Labels = labels;
        Classes = classes;
    }

    public TaskRows Rows { get; }

    public TaskRows? Validation { get; }

    public KeyDomain Tasks { get; }

    public KeyDomain Labels { get; }

    /// <summary>For task t at index t-1: the label keys of its classes, ascending.</summary>
    public uint[][] Classes { get; }

    public int NumberOfTasks => Tasks.Count;

    /// <summary>Checks the columns, then reads the training rows and, when given, the validation rows.</summary>
    public static TrainingSet Read(IDataView training, IDataView? validation, DvnEstimator.Options options)
    {
        var schema = training.Schema;
        var features = InputSchema.Features(schema, options.FeatureColumnName, options.Architecture.RequiredFeatureLength);
        var label = InputSchema.Key(schema, options.LabelColumnName, "label");
        var task = InputSchema.Key(schema, options.TaskColumnName, "task");
        var tasks = new KeyDomain(InputSchema.KeyCount(task), KeyValues.Of(task));
        var rows = TaskRows.Read(training, features, task, label, tasks.Count);
        CheckEveryTaskHasRows(rows, tasks, task.Name);

        TaskRows? validationRows = null;
        if (validation is not null)
        {
            var validationSchema = validation.Schema;
            validationRows = TaskRows.Read(validation,
                InputSchema.Features(validationSchema, options.FeatureColumnName, rows.FeatureLength),
                InputSchema.Key(validationSchema, options.TaskColumnName, "task"),
                InputSchema.Key(validationSchema, options.LabelColumnName, "label"), tasks.Count);
        }
        var classes = Enumerable.Range(1, tasks.Count)
            .Select(t => rows.Labels(t).Distinct().Order().Select(k => (uint)k).ToArray()).ToArray();
        return new TrainingSet(rows, validationRows, tasks, new KeyDomain(InputSchema.KeyCount(label), KeyValues.Of(label)), classes);
    }

    /// <summary>The training rows as tensors on <paramref name="device"/>, task t at index t-1 (owned by the caller).</summary>
    public TaskData[] TrainingTensors(Device device) => ToTensors(Rows, device);

    /// <summary>The validation rows as tensors, or null without validation data (owned by the caller).</summary>
    public TaskData[]? ValidationTensors(Device device) => Validation is null ? null : ToTensors(Validation, device);

    // Labels become each task's own class index; a label the task never had in training becomes -1, never predicted.
    private TaskData[] ToTensors(TaskRows rows, Device device) =>
        Enumerable.Range(1, rows.NumberOfTasks).Select(t =>
        {
            var classOfKey = Classes[t - 1].Select((k, c) => (k, c)).ToDictionary(p => (ulong)p.k, p => (long)p.c);
            var labels = rows.Labels(t).Select(k => classOfKey.GetValueOrDefault(k, -1)).ToArray();
            return new TaskData(
                tensor(rows.Features(t).ToArray(), new long[] { rows.RowCount(t), rows.FeatureLength }).to(device),
                tensor(labels).to(device));
        }).ToArray();

    private static void CheckEveryTaskHasRows(TaskRows rows, KeyDomain tasks, string taskColumn)
    {
        var empty = Enumerable.Range(1, rows.NumberOfTasks).Where(t => rows.RowCount(t) == 0).ToArray();
        if (empty.Length == rows.NumberOfTasks)
            throw new InvalidOperationException("The training data has no rows.");
        if (empty.Length > 0)
            throw new InvalidOperationException(
                $"Column '{taskColumn}': tasks {string.Join(", ", empty.Select(t => tasks.Values is null ? $"{t}" : tasks.Describe((ulong)t)))} " +
                $"have no training rows; every one of the column's {rows.NumberOfTasks} task keys needs rows.");
    }
}
