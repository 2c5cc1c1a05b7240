using System.Diagnostics;

namespace Microsoft.ML.Dvn.Samples.Baselines;

/// <summary>
/// The contenders made of networks, all trained by the library's DVN estimator with the same backbone family,
/// epochs, seed and training recipe, so that only the sharing differs:
/// <list type="bullet">
/// <item>the DVN: one network for all tasks, with the scenario's K units and L levels;</item>
/// <item>independent networks: for every (task, level), a network of that level's widths trained on that task
/// alone (one task, one unit, one level), T x L in all;</item>
/// <item>the shared multi-head network: one full-width network for all tasks (one unit, one level), one head per task.</item>
/// </list>
/// </summary>
internal sealed class NetworkBaselines(BenchmarkData data, BenchmarkPlan plan, TrainingRecipe recipe)
{
    private IReadOnlyList<string> Tasks => data.Scenario.TaskNames;

    private int Units => data.Scenario.NumberOfUnits;

    private int Levels => data.Scenario.NumberOfLevels;

    public (NetworkResult Result, DvnPipeline Pipeline) Dvn()
    {
        var (pipeline, seconds) = Train("DVN", Tasks, Architectures.Full(plan.Architecture), Units, Levels);
        var levels = Evaluate("DVN", pipeline, Tasks).Select(l => new LevelResult(Tasks[l.Task - 1], l.Level, l.ParameterCount, l.MicroAccuracy, l.MacroAccuracy));
        return (new NetworkResult(pipeline.Dvn.StoredParameterCount, seconds, levels.ToArray()), pipeline);
    }

    /// <summary>Level j's network has the widths of the DVN's level j: m_j = ceil(jK/L) of the K units.</summary>
    public NetworkResult Independent()
    {
        var levels = new List<LevelResult>();
        long stored = 0;
        double seconds = 0;
        foreach (string task in Tasks)
            for (int level = 1; level <= Levels; level++)
            {
                var architecture = Architectures.AtUnits(plan.Architecture, UnitsAtLevel(level), Units);
                var (pipeline, trainSeconds) = Train($"independent {task} L{level}", new[] { task }, architecture, 1, 1);
                var metrics = Evaluate($"independent {task} L{level}", pipeline, new[] { task }).Single();
                levels.Add(new LevelResult(task, level, pipeline.Dvn.StoredParameterCount, metrics.MicroAccuracy, metrics.MacroAccuracy));
                stored += pipeline.Dvn.StoredParameterCount;
                seconds += trainSeconds;
            }
        return new NetworkResult(stored, seconds, levels);
    }

    // Level j of a DVN uses m_j = ceil(jK/L) of its K units (README, "Units and levels").
    private int UnitsAtLevel(int level) => (level * Units + Levels - 1) / Levels;

    /// <summary>Its one size is reported as level L, the DVN level of the same width (docs/benchmarks.md).</summary>
    public NetworkResult SharedMultiHead()
    {
        var (pipeline, seconds) = Train("shared multi-head", Tasks, Architectures.Full(plan.Architecture), 1, 1);
        var levels = Evaluate("shared multi-head", pipeline, Tasks).Select(l =>
            new LevelResult(Tasks[l.Task - 1], Levels, l.ParameterCount, l.MicroAccuracy, l.MacroAccuracy));
        return new NetworkResult(pipeline.Dvn.StoredParameterCount, seconds, levels.ToArray());
    }

    private (DvnPipeline Pipeline, double Seconds) Train(string title, IReadOnlyList<string> tasks, DvnArchitecture architecture, int units, int levels)
    {
        var options = recipe.Apply(new DvnEstimator.Options
        {
            Architecture = architecture,
            NumberOfUnits = units,
            NumberOfLevels = levels,
            NumberOfEpochs = plan.Epochs,
            Seed = plan.Seed,
            EpochCompleted = Progress.Epochs(title, tasks),
        }, isDvn: levels > 1); // only the DVN has several levels
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
