using System.Runtime.InteropServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// The rows of an IDataView grouped by task, read once through a cursor: features (row-major floats) and label keys.
/// Memory: 4 bytes a feature value plus 8 bytes a row.
/// </summary>
internal sealed class TaskRows
{
    private readonly List<float>[] _features;
    private readonly List<ulong>[] _labels;

    private TaskRows(int tasks, int featureLength)
    {
        FeatureLength = featureLength;
        _features = Enumerable.Range(0, tasks).Select(_ => new List<float>()).ToArray();
        _labels = Enumerable.Range(0, tasks).Select(_ => new List<ulong>()).ToArray();
    }

    public int FeatureLength { get; }

    public int NumberOfTasks => _labels.Length;

    public int RowCount(int task) => _labels[task - 1].Count;

    public ReadOnlySpan<float> Features(int task) => CollectionsMarshal.AsSpan(_features[task - 1]);

    /// <summary>Label keys (1-based) of the task's rows, in order.</summary>
    public IReadOnlyList<ulong> Labels(int task) => _labels[task - 1];

    /// <summary>
    /// Reads every row. A task key outside 1..<paramref name="numberOfTasks"/>, a missing label key
    /// (<see cref="TaskLabelKeys"/>) or a non-finite feature fails with a message naming the column, the row and the value.
    /// Without a task column every row is task 1. With <paramref name="keepMissingLabels"/> (evaluation), a missing
    /// label key is kept as 0 instead: a label the model never saw in training, which no prediction matches.
    /// </summary>
    public static TaskRows Read(IDataView data, DataViewSchema.Column features, DataViewSchema.Column? task,
        DataViewSchema.Column label, int numberOfTasks, bool keepMissingLabels = false)
    {
        int length = ((VectorDataViewType)features.Type).Size;
        var rows = new TaskRows(numberOfTasks, length);
        using var cursor = data.GetRowCursor(task is DataViewSchema.Column t0 ? new[] { features, t0, label } : new[] { features, label });
        var readFeatures = ColumnReaders.Features(cursor, features);
        var keys = new TaskLabelKeys(cursor, task, label, numberOfTasks);
        var buffer = new float[length];
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            int t = keys.Task(row);
            ulong y = keepMissingLabels ? keys.LabelOrMissing() : keys.Label(row);
            readFeatures(buffer, row);
            ColumnReaders.CheckFinite(buffer, features.Name, row);
            rows._features[t - 1].AddRange(buffer);
            rows._labels[t - 1].Add(y);
        }
        return rows;
    }
}
