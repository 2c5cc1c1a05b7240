using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>Typed readers for the input columns of a row, whatever their raw type.</summary>
internal static class ColumnReaders
{
    /// <summary>Reads a key column as its key value (0 = missing) whatever its raw type.</summary>
    public static Func<ulong> Key(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint)) return Read<uint>(row, column, v => v);
        if (raw == typeof(ulong)) return Read<ulong>(row, column, v => v);
        if (raw == typeof(ushort)) return Read<ushort>(row, column, v => v);
        if (raw == typeof(byte)) return Read<byte>(row, column, v => v);
        throw new ArgumentOutOfRangeException(nameof(column), $"Key column '{column.Name}' has unsupported raw type {raw.Name}.");
    }

    /// <summary>Reads a task column as its key value; without one (a single-task model), every row is task 1.</summary>
    public static Func<ulong> Task(DataViewRow row, DataViewSchema.Column? column) =>
        column is DataViewSchema.Column task ? Key(row, task) : () => 1;

    /// <summary>Reads a budget column (Single, Double, Int32, Int64); Int64 stays exact (see <see cref="BudgetValue"/>).</summary>
    public static Func<BudgetValue> Budget(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(float)) return Read<float, BudgetValue>(row, column, v => BudgetValue.Of(v));
        if (raw == typeof(double)) return Read<double, BudgetValue>(row, column, v => BudgetValue.Of(v));
        if (raw == typeof(int)) return Read<int, BudgetValue>(row, column, v => BudgetValue.Of((long)v));
        if (raw == typeof(long)) return Read<long, BudgetValue>(row, column, v => BudgetValue.Of(v));
        throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' has type {column.Type}; expected Single, Double, Int32 or Int64.");
    }

    /// <summary>
    /// Copies the row's feature vector, dense, into a destination of exactly the vector's length; the second argument
    /// names the row in the error. A vector of another length fails: ML.NET builds a vector from the actual array
    /// whatever the schema's size says, and copying a shorter one would leave the previous row's values in the rest
    /// of the destination (a reused buffer), silently mixing two rows, possibly two callers'.
    /// </summary>
    public static Action<Span<float>, long> Features(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        string name = column.Name;
        return (destination, position) =>
        {
            getter(ref buffer);
            if (buffer.Length != destination.Length)
                throw new InvalidOperationException(
                    $"Column '{name}', row {position}: the feature vector has {buffer.Length} values; expected {destination.Length} " +
                    "(the column's vector size). Give every row a vector of the column's full length.");
            buffer.CopyTo(destination);
        };
    }

    /// <summary>Throws when a feature vector holds NaN or an infinity, naming the column, row, index and value.</summary>
    public static void CheckFinite(ReadOnlySpan<float> features, string column, long row)
    {
        if (AllFinite(features))
            return;
        for (int i = 0; i < features.Length; i++)
            if (!float.IsFinite(features[i]))
                throw new InvalidOperationException(
                    $"Column '{column}', row {row}: value {features[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at index {i}. Features must be finite numbers; " +
                    "replace missing values first (for example with ReplaceMissingValues).");
    }

    // x - x is 0 for every finite x and NaN for NaN and the infinities; a NaN anywhere makes the sum NaN. SIMD, since it
    // runs on every value of every row predicted (it was a fifth of the MLP's prediction time as a scalar loop).
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        var sum = Vector<float>.Zero;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        foreach (var v in vectors)
            sum += v - v;
        float total = Vector.Sum(sum);
        for (int i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
            total += values[i] - values[i];
        return total == 0;
    }

    private static Func<TOut> Read<TIn, TOut>(DataViewRow row, DataViewSchema.Column column, Func<TIn, TOut> convert)
    {
        var getter = row.GetGetter<TIn>(column);
        TIn value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }

    private static Func<ulong> Read<TIn>(DataViewRow row, DataViewSchema.Column column, Func<TIn, ulong> convert) =>
        Read<TIn, ulong>(row, column, convert);
}
