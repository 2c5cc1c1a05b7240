
namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>
/// The benchmark over several seeds: for every (task, level), the mean and standard deviation of the DVN's and the
/// independent network's accuracy, and their paired difference (same seed) with a 95% confidence interval
/// (Student's t over the seeds); the same for the mean difference over all (task, level). Accuracies are fractions,
/// differences percentage points.
/// </summary>
internal sealed record SeedSummary(
    string Scenario, string Architecture, int Epochs, IReadOnlyList<int> Seeds, MachineInfo Machine, TrainingRecipe Method,
    IReadOnlyList<LevelSummary> Levels, Interval MeanDifference, IReadOnlyList<BenchmarkReport> Runs)
{
    public static SeedSummary Of(IReadOnlyList<BenchmarkReport> runs)
    {
        var first = runs[0];
        var levels = first.Dvn.Levels.Select(level =>
        {
            var dvn = runs.Select(r => r.Dvn.Levels.Single(l => l.Task == level.Task && l.Level == level.Level).Accuracy).ToArray();
            var independent = runs.Select(r => r.Independent.Levels.Single(l => l.Task == level.Task && l.Level == level.Level).Accuracy).ToArray();
            return new LevelSummary(level.Task, level.Level, level.Parameters, Spread.Of(dvn), Spread.Of(independent),
                Interval.Of(dvn.Zip(independent, (d, i) => 100 * (d - i)).ToArray()));
        }).ToArray();
        var meanDifferences = runs.Select(r => r.Dvn.Levels.Average(d =>
            100 * (d.Accuracy - r.Independent.Levels.Single(i => i.Task == d.Task && i.Level == d.Level).Accuracy))).ToArray();
        return new SeedSummary(first.Scenario, first.Architecture, first.Epochs, runs.Select(r => r.Seed).ToArray(), first.Machine,
            first.Method, levels, Interval.Of(meanDifferences), runs);
    }
}

/// <summary>One (task, level) over the seeds.</summary>
/// <param name="Difference">DVN minus independent, in percentage points, paired by seed.</param>
internal sealed record LevelSummary(string Task, int Level, long Parameters, Spread Dvn, Spread Independent, Interval Difference);

/// <summary>Mean and sample standard deviation (0 for one value).</summary>
internal sealed record Spread(double Mean, double StandardDeviation)
{
    public static Spread Of(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : 0;
        return new Spread(mean, Math.Sqrt(variance));
    }
}

/// <summary>A mean with its two-sided 95% confidence interval from Student's t (no interval for one value: Low = High = Mean).</summary>
internal sealed record Interval(double Mean, double Low, double High)
{
    // t quantile 0.975 for 1..30 degrees of freedom; beyond, the normal's 1.96 (within 2% of t).
    private static readonly double[] T975 =
    {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    };

    public static Interval Of(IReadOnlyList<double> values)
    {
        var spread = Spread.Of(values);
        int freedom = values.Count - 1;
        double halfWidth = freedom == 0 ? 0 : (freedom <= T975.Length ? T975[freedom - 1] : 1.96) * spread.StandardDeviation / Math.Sqrt(values.Count);
        return new Interval(spread.Mean, spread.Mean - halfWidth, spread.Mean + halfWidth);
    }

    public double HalfWidth => (High - Low) / 2;
}
