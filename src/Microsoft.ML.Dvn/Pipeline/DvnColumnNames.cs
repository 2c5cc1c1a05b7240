namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>The names of the columns a DVN transformer reads and writes.</summary>
internal sealed record DvnColumnNames(
    string Features, string Label, string Task, string MemoryBudget, string Score, string PredictedLabel, string Level, string ParameterCount)
{
    public static DvnColumnNames From(DvnEstimator.Options options) => new(
        options.FeatureColumnName, options.LabelColumnName, options.TaskColumnName, options.MemoryBudgetColumnName, options.ScoreColumnName,
        options.PredictedLabelColumnName, options.LevelColumnName, options.ParameterCountColumnName);

    public string[] Outputs => new[] { Score, PredictedLabel, Level, ParameterCount };
}
