using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Baselines;

/// <summary>What one benchmark run trains and measures, and on how many rows.</summary>
/// <param name="TrainRowLimit">At most this many training rows a task; null for all the scenario gives it.</param>
/// <param name="TestRowLimit">At most this many test rows a task; null for all.</param>
/// <param name="SingleRows">Rows timed one at a time through a PredictionEngine, per (task, level).</param>
/// <param name="Skip">Parts left out: <see cref="SharedPart"/>, <see cref="MlNetPart"/>, <see cref="TimingPart"/>.</param>
internal sealed record BenchmarkPlan(string Architecture, int Epochs, int Seed, int? TrainRowLimit, int? TestRowLimit, int SingleRows,
    IReadOnlySet<string> Skip)
{
    public const string SharedPart = "shared";
    public const string MlNetPart = "mlnet";
    public const string TimingPart = "timing";

    public static readonly IReadOnlyList<string> Parts = new[] { SharedPart, MlNetPart, TimingPart };

    /// <summary>The scenario as docs/benchmarks.md defines it: all its training and test images.</summary>
    public static BenchmarkPlan Full(string architecture, int epochs, int seed, IReadOnlySet<string> skip) =>
        new(architecture, epochs, seed, null, null, 1_000, skip);

    /// <summary>A smoke check of every step in a few minutes: 2,000 training and test images a task. Its figures mean little.</summary>
    public static BenchmarkPlan Quick(string architecture, int epochs, int seed, IReadOnlySet<string> skip) =>
        new(architecture, epochs, seed, 2_000, 2_000, 200, skip);

    public bool Runs(string part) => !Skip.Contains(part);
}

/// <summary>The rows of every task that a benchmark run uses, made once.</summary>
internal sealed class BenchmarkData(Scenario scenario, BenchmarkPlan plan)
{
    public Scenario Scenario { get; } = scenario;

    public IReadOnlyDictionary<string, List<TaskRow>> Train { get; } =
        scenario.TaskNames.ToDictionary(t => t, t => scenario.TrainRows(t, plan.TrainRowLimit));

    public IReadOnlyDictionary<string, List<TaskRow>> Test { get; } =
        scenario.TaskNames.ToDictionary(t => t, t => scenario.TestRows(t, plan.TestRowLimit));
}
