using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Benchmark;

/// <summary>What one benchmark run trains and measures, and on how many rows.</summary>
/// <param name="SingleRows">Rows timed one at a time through a PredictionEngine, per (task, level).</param>
internal sealed record BenchmarkPlan(string Architecture, int Epochs, int Seed, int TrainRowsPerTask, int TestRowsPerTask, int SingleRows)
{
    /// <summary>The scenario as docs/benchmarks.md defines it: 20,000 training and 10,000 test images per task.</summary>
    public static BenchmarkPlan Full(string architecture, int epochs, int seed) => new(architecture, epochs, seed, 20_000, 10_000, 1_000);

    /// <summary>A smoke check of every step in a few minutes; its figures mean little.</summary>
    public static BenchmarkPlan Quick(string architecture, int epochs, int seed) => new(architecture, epochs, seed, 2_000, 2_000, 200);
}

/// <summary>The rows of every task that a benchmark run uses, made once.</summary>
internal sealed class BenchmarkData(Scenario scenario, BenchmarkPlan plan)
{
    public Scenario Scenario { get; } = scenario;

    public IReadOnlyDictionary<string, List<TaskRow>> Train { get; } =
        Scenario.TaskNames.ToDictionary(t => t, t => scenario.TrainRows(t, plan.TrainRowsPerTask));

    public IReadOnlyDictionary<string, List<TaskRow>> Test { get; } =
        Scenario.TaskNames.ToDictionary(t => t, t => scenario.TestRows(t, plan.TestRowsPerTask));
}
