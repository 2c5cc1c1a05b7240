using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// Reads a training row's task and label keys, failing on a task key outside 1..numberOfTasks or a missing label with
/// a message naming the column, the row and the value. Without a task column (a single-task model) every row is task 1.
/// </summary>
internal sealed class TaskLabelKeys(DataViewRow row, DataViewSchema.Column? task, DataViewSchema.Column label, int numberOfTasks)
{
    private readonly Func<ulong> _task = ColumnReaders.Task(row, task);
    private readonly Func<ulong> _label = ColumnReaders.Key(row, label);

    /// <summary>The row's task, 1..numberOfTasks.</summary>
    public int Task(long position)
    {
        ulong t = _task();
        if (t == 0 || t > (ulong)numberOfTasks)
            throw new InvalidOperationException(t == 0
                ? $"Column '{task?.Name}', row {position}: the task key is missing (0). Every row needs a task."
                : $"Column '{task?.Name}', row {position}: task key {t}, but the model knows tasks 1..{numberOfTasks}.");
        return (int)t;
    }

    /// <summary>The row's label key, 0 where it is missing.</summary>
    public ulong LabelOrMissing() => _label();

    /// <summary>The row's label key, 1 or more.</summary>
    public ulong Label(long position)
    {
        ulong y = _label();
        if (y == 0)
            throw new InvalidOperationException(
                $"Column '{label.Name}', row {position}: the label key is missing (0), a value MapValueToKey did not know. " +
                "Every training row needs a label; filter such rows out first.");
        return y;
    }
}
