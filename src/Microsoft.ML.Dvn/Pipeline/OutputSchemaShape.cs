using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// The estimator's output schema shape, for EstimatorChain and the estimators after this one. SchemaShape.Column's
/// constructor is internal to Microsoft.ML.Core (used here through the publicized reference; see Internals/).
/// </summary>
internal static class OutputSchemaShape
{
    private const string KeyValuesKind = "KeyValues";
    private const string SlotNamesKind = "SlotNames";

    public static SchemaShape Create(SchemaShape input, DvnEstimator.Options options)
    {
        var features = Find(input, options.FeatureColumnName, "features", "a known-size vector of Single");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw Mismatch(options.FeatureColumnName, "features", Describe(features), "a known-size vector of Single");
        var label = Find(input, options.LabelColumnName, "label", "a key type (use MapValueToKey)");
        if (!label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw Mismatch(options.LabelColumnName, "label", Describe(label), "a key type (use MapValueToKey)");
        if (options.TaskColumnName is string taskName)
        {
            var task = Find(input, taskName, "task", "a key type (use MapValueToKey)");
            if (!task.IsKey || task.Kind != SchemaShape.Column.VectorKind.Scalar)
                throw Mismatch(taskName, "task", Describe(task), "a key type (use MapValueToKey)");
        }
        foreach (var (unit, name) in new[]
                 {
                     (DvnBudgetUnit.Parameters, options.MemoryBudgetColumnName), (DvnBudgetUnit.Bytes, options.MemoryBudgetBytesColumnName),
                     (DvnBudgetUnit.Microseconds, options.LatencyBudgetColumnName),
                 })
            if (input.TryFindColumn(name, out var budget)
                && (budget.Kind != SchemaShape.Column.VectorKind.Scalar || budget.IsKey || !InputSchema.BudgetTypes.Contains(budget.ItemType)))
                throw Mismatch(name, InputSchema.BudgetRole(unit), Describe(budget), "Single, Double, Int32 or Int64");

        // The annotations BoundSchema gives the columns, as ML.NET's multiclass trainers announce them (AnnotationUtils
        // is internal to Microsoft.ML.Core, like SchemaShape.Column's constructor).
        SchemaShape.Column? keyValues = label.Annotations is not null && label.Annotations.TryFindColumn(KeyValuesKind, out var found) ? found : null;
        var scoreKinds = AnnotationUtils.GetTrainerOutputAnnotation().ToArray();
        var scoreAnnotations = keyValues is SchemaShape.Column values
            ? scoreKinds.Prepend(new SchemaShape.Column(AnnotationUtils.Kinds.TrainingLabelValues, SchemaShape.Column.VectorKind.Vector, values.ItemType, false))
                .Prepend(new SchemaShape.Column(SlotNamesKind, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false))
            : scoreKinds;
        var labelAnnotations = keyValues is SchemaShape.Column labelValues ? scoreKinds.Prepend(labelValues) : scoreKinds;
        var columns = input.ToDictionary(c => c.Name);
        columns[options.ScoreColumnName] = new SchemaShape.Column(options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Single, false, new SchemaShape(scoreAnnotations));
        columns[options.PredictedLabelColumnName] = new SchemaShape.Column(options.PredictedLabelColumnName,
            SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, new SchemaShape(labelAnnotations));
        columns[options.LevelColumnName] = new SchemaShape.Column(options.LevelColumnName, SchemaShape.Column.VectorKind.Scalar,
            NumberDataViewType.UInt32, false);
        columns[options.ParameterCountColumnName] = new SchemaShape.Column(options.ParameterCountColumnName, SchemaShape.Column.VectorKind.Scalar,
            NumberDataViewType.Int64, false);
        return new SchemaShape(columns.Values);
    }

    private static SchemaShape.Column Find(SchemaShape input, string name, string role, string expected) =>
        input.TryFindColumn(name, out var column) ? column : throw new ArgumentOutOfRangeException(nameof(input),
            $"The input has no {role} column '{name}'; expected {expected}. Columns present: {string.Join(", ", input.Select(c => c.Name))}.");

    private static string Describe(SchemaShape.Column column) =>
        $"{column.Kind} of {column.ItemType}{(column.IsKey ? " (key)" : "")}";

    private static ArgumentOutOfRangeException Mismatch(string name, string role, string found, string expected) =>
        new("inputSchema", $"The {role} column '{name}' has type {found}; expected {expected}.");
}
