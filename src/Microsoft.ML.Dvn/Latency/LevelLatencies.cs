using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Latency;

/// <summary>
/// A latency table bound to a model: the single-row latency of every (network task, level), for the budget rule.
/// Immutable; a transformer builds it when a table is attached.
/// </summary>
internal sealed class LevelLatencies
{
    private readonly double[][] _microseconds;

    /// <exception cref="ArgumentException">The table lacks a (task, level) the model serves.</exception>
    public LevelLatencies(DvnModel model, DvnLatencyTable table)
    {
        Table = table;
        _microseconds = model.Served.Select(task => task.Levels.Select(level =>
            table.Find(task.Key, level.Level)?.SingleRowMicroseconds ?? throw new ArgumentException(
                $"The latency table has no entry for task {model.DescribeTask((ulong)task.Key)} at level {level.Level}; it needs one " +
                $"for every (task, level) the model serves ({string.Join(", ", model.Served.SelectMany(t => t.Levels.Select(l => $"({t.Key}, {l.Level})")))}). " +
                "Measure this model with DvnTransformer.MeasureLatency.", nameof(table))).ToArray()).ToArray();
    }

    public DvnLatencyTable Table { get; }

    /// <summary>The single-row microseconds of (network task, level), both 1-based.</summary>
    public double Microseconds(int networkTask, int level) => _microseconds[networkTask - 1][level - 1];
}
