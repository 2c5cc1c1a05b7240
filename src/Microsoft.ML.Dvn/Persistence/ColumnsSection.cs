using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>The columns section: the names of the columns the model reads and writes (named fields).</summary>
/// <remarks>
/// A model trained without a task column (single-task) has no <c>task</c> field. The columns of the budgets in bytes
/// and in microseconds (<c>memoryBudgetBytes</c>, <c>latencyBudget</c>, since 0.3) are written only when they are not
/// the default names: a model with the default names is the same file as 0.2.0 wrote, and loads there; a file without
/// them (every 0.2.0 file) reads the defaults.
/// </remarks>
internal static class ColumnsSection
{
    public const string Name = "columns";

    private const string TaskField = "task";

    private static readonly string[] Fields = { "features", "label", TaskField, "memoryBudget", "score", "predictedLabel", "level", "parameterCount" };

    private const string BytesField = "memoryBudgetBytes", LatencyField = "latencyBudget";

    public static void Write(BinaryWriter writer, DvnColumnNames columns) =>
        writer.WriteFields(Fields.Zip(Values(columns))
            .Append((BytesField, columns.MemoryBudgetBytes == DvnColumnNames.DefaultMemoryBudgetBytes ? null : columns.MemoryBudgetBytes))
            .Append((LatencyField, columns.LatencyBudget == DvnColumnNames.DefaultLatencyBudget ? null : columns.LatencyBudget))
            .Where(field => field.Item2 is not null)
            .Select(field => (field.Item1, (Action<BinaryWriter>)(w => w.Write(field.Item2!)))).ToArray());

    /// <summary>Format 1: the eight names in the order of <see cref="Fields"/>.</summary>
    public static FieldReader Format1(PayloadReader section) =>
        FieldReader.Positional(section, Fields.Select(f => (f, (Action<PayloadReader, string>)((r, n) => r.String(n)))).ToArray());

    public static DvnColumnNames Read(FieldReader fields)
    {
        var names = Fields.Select(field =>
        {
            string? name = field == TaskField ? fields.Get<string?>(field, (r, n) => r.String(n), () => null) : fields.String(field);
            InvalidModel.Require(name is null || !string.IsNullOrWhiteSpace(name), $"{Name}.{field}", $"'{name}'", "a column name");
            return name;
        }).ToArray();
        string Optional(string field, string fallback)
        {
            string name = fields.Get(field, (r, n) => r.String(n), () => fallback);
            InvalidModel.Require(!string.IsNullOrWhiteSpace(name), $"{Name}.{field}", $"'{name}'", "a column name");
            return name;
        }
        string bytes = Optional(BytesField, DvnColumnNames.DefaultMemoryBudgetBytes);
        string latency = Optional(LatencyField, DvnColumnNames.DefaultLatencyBudget);
        fields.End();
        var columns = new DvnColumnNames(names[0]!, names[1]!, names[2], names[3]!, names[4]!, names[5]!, names[6]!, names[7]!)
        {
            MemoryBudgetBytes = bytes,
            LatencyBudget = latency,
        };
        var budgets = columns.Budgets.Select(b => b.Column).ToArray();
        InvalidModel.Require(budgets.Distinct().Count() == budgets.Length, $"{Name}.memoryBudget, {BytesField} and {LatencyField}",
            string.Join(", ", budgets), "three different names");
        InvalidModel.Require(columns.Outputs.Distinct().Count() == columns.Outputs.Length, $"{Name}.score, predictedLabel, level and parameterCount",
            string.Join(", ", columns.Outputs), "four different names");
        return columns;
    }

    private static string?[] Values(DvnColumnNames c) =>
        new[] { c.Features, c.Label, c.Task, c.MemoryBudget, c.Score, c.PredictedLabel, c.Level, c.ParameterCount };
}
