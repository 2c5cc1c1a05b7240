using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// Up-front checks of the input columns, with messages that name the column, what was found and what was expected.
/// </summary>
internal static class InputSchema
{
    public static readonly DataViewType[] BudgetTypes = { NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Int32, NumberDataViewType.Int64 };

    /// <summary>The features column: a known-size vector of Single, of <paramref name="expectedLength"/> values where given.</summary>
    public static DataViewSchema.Column Features(DataViewSchema schema, string name, int? expectedLength = null)
    {
        var column = Required(schema, name, "features", "a known-size vector of Single");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType } vector || itemType != NumberDataViewType.Single)
            throw Mismatch(name, "features", column.Type, "a known-size vector of Single");
        if (!vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Features column '{name}' is a vector of Single of variable size; expected a known size (every row the same length).");
        if (expectedLength is int length && vector.Size != length)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Features column '{name}' has vectors of {vector.Size} values; the model was trained on {length}.");
        return column;
    }

    /// <summary>A key column (label or task); <paramref name="role"/> names it in messages.</summary>
    public static DataViewSchema.Column Key(DataViewSchema schema, string name, string role)
    {
        var column = Required(schema, name, role, "a key type (use MapValueToKey)");
        if (column.Type is not KeyDataViewType key || key.Count == 0 || key.Count > int.MaxValue)
            throw Mismatch(name, role, column.Type, "a key type of known count (use MapValueToKey)");
        return column;
    }

    /// <summary>The task column: a key column; null when <paramref name="name"/> is null (a single-task model, every row task 1).</summary>
    public static DataViewSchema.Column? Task(DataViewSchema schema, string? name) =>
        name is null ? null : Key(schema, name, "task");

    /// <summary>The budget column of a unit, or null when the schema has none.</summary>
    public static DataViewSchema.Column? Budget(DataViewSchema schema, string name, DvnBudgetUnit unit)
    {
        var column = schema.GetColumnOrNull(name);
        if (column is null)
            return null;
        if (!BudgetTypes.Contains(column.Value.Type))
            throw Mismatch(name, BudgetRole(unit), column.Value.Type, $"Single, Double, Int32 or Int64 (a number of {BudgetUnits(unit)})");
        return column;
    }

    /// <summary>How messages name a budget column of a unit.</summary>
    public static string BudgetRole(DvnBudgetUnit unit) => unit switch
    {
        DvnBudgetUnit.Parameters => "memory budget",
        DvnBudgetUnit.Bytes => "memory budget in bytes",
        _ => "latency budget",
    };

    /// <summary>What a budget of a unit counts, plural ("parameters", "bytes", "microseconds").</summary>
    public static string BudgetUnits(DvnBudgetUnit unit) => unit switch
    {
        DvnBudgetUnit.Parameters => "parameters",
        DvnBudgetUnit.Bytes => "bytes",
        _ => "microseconds",
    };

    public static int KeyCount(DataViewSchema.Column column) => checked((int)((KeyDataViewType)column.Type).Count);

    private static DataViewSchema.Column Required(DataViewSchema schema, string name, string role, string expected) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"The input has no {role} column '{name}'; expected {expected}. Columns present: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");

    private static ArgumentOutOfRangeException Mismatch(string name, string role, DataViewType found, string expected) =>
        new("schema", $"The {role} column '{name}' has type {found}; expected {expected}.");
}
