namespace Microsoft.ML.Dvn;

/// <summary>How one level of one task does on a data set, every row of the task forced through that level.</summary>
/// <param name="Task">The task key (1-based).</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="ParameterCount">The parameters the level reads.</param>
/// <param name="MicroAccuracy">Share of the task's rows predicted right.</param>
/// <param name="MacroAccuracy">Mean over the labels present in the task's rows of the share predicted right.</param>
/// <param name="LogLoss">Mean of -ln(probability of the true label), probabilities clamped at 1e-15.</param>
/// <param name="RowCount">The task's rows in the data.</param>
public sealed record DvnLevelMetrics(int Task, int Level, long ParameterCount, double MicroAccuracy, double MacroAccuracy, double LogLoss, long RowCount);
