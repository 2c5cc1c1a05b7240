namespace Microsoft.ML.Dvn.Model;

/// <summary>The names of the columns a DVN transformer reads and writes; <see cref="Task"/> is null for a model trained without a task column.</summary>
internal sealed record DvnColumnNames(
    string Features, string Label, string? Task, string MemoryBudget, string Score, string PredictedLabel, string Level, string ParameterCount)
{
    public const string DefaultMemoryBudgetBytes = "MemoryBudgetBytes";

    public const string DefaultLatencyBudget = "LatencyBudget";

    /// <summary>The budget in bytes (parameters and one row's activations). Model files before 0.3 did not store it: the default.</summary>
    public string MemoryBudgetBytes { get; init; } = DefaultMemoryBudgetBytes;

    /// <summary>The budget in microseconds of measured single-row latency. Model files before 0.3 did not store it: the default.</summary>
    public string LatencyBudget { get; init; } = DefaultLatencyBudget;

    public string[] Outputs => new[] { Score, PredictedLabel, Level, ParameterCount };

    /// <summary>The budget columns, one a unit.</summary>
    public (DvnBudgetUnit Unit, string Column)[] Budgets => new[]
    {
        (DvnBudgetUnit.Parameters, MemoryBudget), (DvnBudgetUnit.Bytes, MemoryBudgetBytes), (DvnBudgetUnit.Microseconds, LatencyBudget),
    };
}
