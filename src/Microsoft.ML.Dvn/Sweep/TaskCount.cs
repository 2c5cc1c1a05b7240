using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// How many tasks the raw data holds, before the pipeline maps them to keys: the key count of a key column, or the
/// number of distinct values otherwise. The search space needs it to know what "one unit per task" means.
/// </summary>
internal static class TaskCount
{
    public static int Of(IDataView data, string taskColumnName)
    {
        var column = data.Schema.GetColumnOrNull(taskColumnName) ?? throw new ArgumentOutOfRangeException(nameof(data),
            $"The sweep's data has no task column '{taskColumnName}' (DvnSearchSpace.BaseOptions.TaskColumnName). " +
            $"Columns present: {string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (column.Type is KeyDataViewType key)
            return checked((int)key.Count);
        if (column.Type is not PrimitiveDataViewType)
            throw new ArgumentOutOfRangeException(nameof(data), $"The task column '{taskColumnName}' has type {column.Type}; expected a scalar (text, number or key).");
        var distinct = (int)typeof(TaskCount).GetMethod(nameof(Distinct), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType).Invoke(null, new object[] { data, column })!;
        return distinct > 0 ? distinct : throw new InvalidOperationException("The sweep's data has no rows.");
    }

    private static int Distinct<T>(IDataView data, DataViewSchema.Column column)
    {
        // Text is compared by content (ReadOnlyMemory<char> compares by reference).
        var seen = new HashSet<string>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            seen.Add(value?.ToString() ?? "");
        }
        return seen.Count;
    }
}
