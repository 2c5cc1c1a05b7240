using System.Diagnostics;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Benchmark;

/// <summary>
/// The contenders made of networks, all trained by the library's DVN estimator with the same backbone family,
/// epochs and seed, so that only the sharing differs:
/// <list type="bullet">
/// <item>the DVN: one network for all three tasks, K = L = 3;</item>
/// <item>independent networks: for every (task, level), a network of that level's widths trained on that task
/// alone (one task, one unit, one level), nine in all;</item>
/// <item>the shared multi-head network: one full-width network for all tasks (one unit, one level), one head per task.</item>
/// </list>
/// </summary>
internal sealed class NetworkBaselines(BenchmarkData data, BenchmarkPlan plan)
{
    private static readonly IReadOnlyList<string> Tasks = Scenario.TaskNames;

    public (NetworkResult Result, DvnPipeline Pipeline) Dvn()
    {
        var (pipeline, seconds) = Train("DVN", Tasks, Architectures.Full(plan.Architecture), units: 0);
        var levels = Evaluate("DVN", pipeline, Tasks).Select(l => new LevelResult(Tasks[l.Task - 1], l.Level, l.ParameterCount, l.MicroAccuracy, l.MacroAccuracy));
        return (new NetworkResult(pipeline.Dvn.StoredParameterCount, seconds, levels.ToArray()), pipeline);
    }

    public NetworkResult Independent()
    {
        var levels = new List<LevelResult>();
        long stored = 0;
        double seconds = 0;
        foreach (string task in Tasks)
            for (int level = 1; level <= Architectures.Units; level++)
            {
                var (pipeline, trainSeconds) = Train($"independent {task} L{level}", new[] { task }, Architectures.AtLevel(plan.Architecture, level), units: 1);
                var metrics = Evaluate($"independent {task} L{level}", pipeline, new[] { task }).Single();
                levels.Add(new LevelResult(task, level, pipeline.Dvn.StoredParameterCount, metrics.MicroAccuracy, metrics.MacroAccuracy));
                stored += pipeline.Dvn.StoredParameterCount;
                seconds += trainSeconds;
            }
        return new NetworkResult(stored, seconds, levels);
    }

    /// <summary>Its one size is reported as level 3, the DVN level of the same width (docs/benchmarks.md).</summary>
    public NetworkResult SharedMultiHead()
    {
        var (pipeline, seconds) = Train("shared multi-head", Tasks, Architectures.Full(plan.Architecture), units: 1);
        var levels = Evaluate("shared multi-head", pipeline, Tasks).Select(l =>
            new LevelResult(Tasks[l.Task - 1], Architectures.Units, l.ParameterCount, l.MicroAccuracy, l.MacroAccuracy));
        return new NetworkResult(pipeline.Dvn.StoredParameterCount, seconds, levels.ToArray());
    }

    // units = 0 takes the estimator's defaults (one unit per task, as many levels as units); 1 makes a plain network.
    private (DvnPipeline Pipeline, double Seconds) Train(string title, IReadOnlyList<string> tasks, DvnArchitecture architecture, int units)
    {
        var options = new DvnEstimator.Options
        {
            Architecture = architecture,
            NumberOfUnits = units,
            NumberOfLevels = units,
            NumberOfEpochs = plan.Epochs,
            Seed = plan.Seed,
            EpochCompleted = Progress.Epochs(title, tasks),
        };
        Console.WriteLine($"Training {title}: {architecture}, {string.Join(", ", tasks)}, {plan.Epochs} epochs ...");
        var ml = new MLContext(plan.Seed);
        var watch = Stopwatch.StartNew();
        var pipeline = DvnPipeline.Fit(ml, tasks, tasks.SelectMany(data.Scenario.Labels).ToArray(), tasks.SelectMany(t => data.Train[t]), options);
        double seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"Training {title}: done in {Progress.Duration(watch.Elapsed)}, {pipeline.Dvn.StoredParameterCount:N0} stored parameters.");
        return (pipeline, seconds);
    }

    private IReadOnlyList<DvnLevelMetrics> Evaluate(string title, DvnPipeline pipeline, IReadOnlyList<string> tasks)
    {
        var ml = new MLContext(plan.Seed);
        var test = pipeline.Prepare(ml.Data.LoadFromEnumerable(tasks.SelectMany(t => data.Test[t])));
        return Progress.Step($"Testing {title}", () => pipeline.Dvn.EvaluateLevels(test));
    }
}
