using System.Text.Json.Serialization;

namespace Microsoft.ML.Dvn;

/// <summary>The measured prediction latency of one (task, level), at the table's percentile.</summary>
/// <param name="Task">The task key (1-based, as in the task column).</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="SingleRowMicroseconds">Microseconds to predict one row alone: what a latency budget is compared with.</param>
/// <param name="BatchMicroseconds">Microseconds to predict <paramref name="BatchSize"/> rows together.</param>
/// <param name="BatchSize">The rows of the batched measurement.</param>
public sealed record DvnLevelLatency(int Task, int Level, double SingleRowMicroseconds, double BatchMicroseconds, int BatchSize)
{
    /// <summary>Microseconds a row within a batch: <see cref="BatchMicroseconds"/> / <see cref="BatchSize"/>.</summary>
    [JsonIgnore]
    public double BatchMicrosecondsPerRow => BatchMicroseconds / BatchSize;
}
