using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>The columns section: the names of the columns the model reads and writes (named fields).</summary>
internal static class ColumnsSection
{
    public const string Name = "columns";

    private static readonly string[] Fields = { "features", "label", "task", "memoryBudget", "score", "predictedLabel", "level", "parameterCount" };

    public static void Write(BinaryWriter writer, DvnColumnNames columns) =>
        writer.WriteFields(Fields.Zip(Values(columns), (field, name) => (field, (Action<BinaryWriter>)(w => w.Write(name)))).ToArray());

    /// <summary>Format 1: the eight names in the order of <see cref="Fields"/>.</summary>
    public static FieldReader Format1(PayloadReader section) =>
        FieldReader.Positional(section, Fields.Select(f => (f, (Action<PayloadReader, string>)((r, n) => r.String(n)))).ToArray());

    public static DvnColumnNames Read(FieldReader fields)
    {
        var names = Fields.Select(field =>
        {
            string name = fields.String(field);
            InvalidModel.Require(!string.IsNullOrWhiteSpace(name), $"{Name}.{field}", $"'{name}'", "a column name");
            return name;
        }).ToArray();
        fields.End();
        var columns = new DvnColumnNames(names[0], names[1], names[2], names[3], names[4], names[5], names[6], names[7]);
        InvalidModel.Require(columns.Outputs.Distinct().Count() == columns.Outputs.Length, $"{Name}.score, predictedLabel, level and parameterCount",
            string.Join(", ", columns.Outputs), "four different names");
        return columns;
    }

    private static string[] Values(DvnColumnNames c) =>
        new[] { c.Features, c.Label, c.Task, c.MemoryBudget, c.Score, c.PredictedLabel, c.Level, c.ParameterCount };
}
