namespace Microsoft.ML.Dvn;

/// <summary>How <see cref="DvnTransformer.MeasureLatency"/> measures. Every field has a default.</summary>
public sealed class DvnLatencyOptions
{
    /// <summary>Rounds run first and not counted (caches, allocator, libtorch's first-call work). Default 5.</summary>
    public int WarmupRounds = 5;

    /// <summary>Counted rounds: each times every (task, level) once on one row and once on a batch. Default 30.</summary>
    public int Rounds = 30;

    /// <summary>Rows of the batched measurement (the sample rows repeat when there are fewer). Default 64.</summary>
    public int BatchSize = 64;

    /// <summary>
    /// The percentile of the rounds' times reported, in (0, 100] (nearest rank): 50 is the median, 100 the slowest
    /// round. Default 90: a latency budget then holds for about nine predictions in ten.
    /// </summary>
    public double Percentile = 90;
}
