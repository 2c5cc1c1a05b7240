namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// What streamed training must know before its first batch, read in one pass over the task and label columns only
/// (no features): the rows of every task and the label keys each task has.
/// </summary>
internal sealed class TaskCounts
{
    private TaskCounts(long[] rows, SortedSet<ulong>[] labels)
    {
        Rows = rows;
        Labels = labels;
    }

    /// <summary>Rows of task t at index t-1.</summary>
    public long[] Rows { get; }

    /// <summary>The label keys of task t at index t-1.</summary>
    public IReadOnlyList<SortedSet<ulong>> Labels { get; }

    /// <summary>Counts every row; fails as <see cref="TaskLabelKeys"/> does. Checks <paramref name="cancellation"/> every 4,096 rows.</summary>
    public static TaskCounts Read(IDataView data, DataViewSchema.Column? task, DataViewSchema.Column label, int numberOfTasks,
        CancellationToken cancellation)
    {
        var rows = new long[numberOfTasks];
        var labels = Enumerable.Range(0, numberOfTasks).Select(_ => new SortedSet<ulong>()).ToArray();
        using var cursor = data.GetRowCursor(new[] { task, label }.OfType<DataViewSchema.Column>());
        var keys = new TaskLabelKeys(cursor, task, label, numberOfTasks);
        for (long row = 0; cursor.MoveNext(); row++)
        {
            if (row % 4096 == 0)
                cancellation.ThrowIfCancellationRequested();
            int t = keys.Task(row);
            rows[t - 1]++;
            labels[t - 1].Add(keys.Label(row));
        }
        return new TaskCounts(rows, labels);
    }
}
