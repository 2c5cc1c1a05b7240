using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn;

/// <summary>How one (task, level) of a trial did on the sweep's held-out rows (the mean over folds with cross-validation).</summary>
/// <param name="Task">The task key (1-based) in the whole data, as in every (task, level) record.</param>
/// <param name="TaskName">The task's name (its value in the task column), or its key where the column has no values.</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="ParameterCount">The parameters a prediction of this (task, level) reads.</param>
/// <param name="MicroAccuracy">Share of the task's held-out rows predicted right (as <see cref="DvnLevelMetrics.MicroAccuracy"/>).</param>
/// <param name="MacroAccuracy">Mean over labels of the share predicted right.</param>
/// <param name="LogLoss">Mean log-loss.</param>
/// <remarks>
/// The JSON names are 0.2.0's (a study keeps its results as JSON), so that studies written by 0.2.0 still resume:
/// the key as <c>TaskKey</c>, the name as <c>Task</c>, the micro-accuracy as <c>Accuracy</c>.
/// </remarks>
public sealed record DvnSweepLevel(
    [property: JsonPropertyName("TaskKey")] int Task,
    [property: JsonPropertyName("Task")] string TaskName,
    int Level,
    long ParameterCount,
    [property: JsonPropertyName("Accuracy")] double MicroAccuracy,
    double MacroAccuracy,
    double LogLoss)
{
    /// <summary>0.2.0's name of <see cref="Task"/>.</summary>
    [Obsolete("Use Task: the task key, as every (task, level) record names it.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    [JsonIgnore]
    public int TaskKey => Task;

    /// <summary>0.2.0's name of <see cref="MicroAccuracy"/>.</summary>
    [Obsolete("Use MicroAccuracy, as DvnLevelMetrics names it.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    [JsonIgnore]
    public double Accuracy => MicroAccuracy;
}
