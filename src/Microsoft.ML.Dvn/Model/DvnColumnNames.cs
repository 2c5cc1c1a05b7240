namespace Microsoft.ML.Dvn.Model;

/// <summary>The names of the columns a DVN transformer reads and writes.</summary>
internal sealed record DvnColumnNames(
    string Features, string Label, string Task, string MemoryBudget, string Score, string PredictedLabel, string Level, string ParameterCount)
{
    public string[] Outputs => new[] { Score, PredictedLabel, Level, ParameterCount };
}
