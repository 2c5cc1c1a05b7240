using Microsoft.ML.Dvn.Samples.Baselines;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Sweep;

/// <summary>
/// The truth about a finished sweep (docs/sweeps.md): the trials on its frontier and the default options, refitted on
/// all the training images with each seed and tested on the 10,000 test images, next to the benchmark's independent
/// networks of the default levels' sizes trained with the same seeds.
/// </summary>
internal static class SweepTestRun
{
    public static SweepTestReport Run(DvnSweep sweep, DvnSweepResult result, Scenario scenario, SweepPlan plan, IDataView train,
        IReadOnlyList<int> seeds)
    {
        var ml = new MLContext(seeds[0]);
        var test = ml.Data.LoadFromEnumerable(scenario.TaskNames.SelectMany(t => scenario.TestRows(t, plan.TestRowsPerTask)).ToList());
        var frontierIds = result.Frontier.SelectMany(f => f.Points).Select(p => p.Trial).ToHashSet();
        var chosen = result.Trials.Where(t => frontierIds.Contains(t.Id)).ToList();
        if (result.BaseOptionsTrial is { Status: DvnSweepTrialStatus.Completed } defaults)
            chosen.Add(defaults);
        Console.WriteLine($"Testing {chosen.Count} trials (the frontier's and the default options) on {seeds.Count} seeds ...");
        var tested = sweep.Test(train, test, chosen, seeds);
        var frontier = DvnTaskFrontier.Of(tested.Where(t => t.Trial.Id != 0).Select(t => (t.Trial.Id, t.Levels)));

        var independent = new List<LevelResult>[seeds.Count];
        for (int i = 0; i < seeds.Count; i++)
        {
            var benchmarkPlan = new BenchmarkPlan(plan.Architecture, plan.MaximumEpochs, seeds[i], plan.TrainRowsPerTask, plan.TestRowsPerTask, 0,
                new HashSet<string>(BenchmarkPlan.Parts));
            independent[i] = new NetworkBaselines(new BenchmarkData(scenario, benchmarkPlan), benchmarkPlan, TrainingRecipe.Defaults).Independent()
                .Levels.ToList();
        }
        var independentMean = independent[0].Select(l => l with
        {
            Accuracy = independent.Average(seed => seed.Single(o => o.Task == l.Task && o.Level == l.Level).Accuracy),
            MacroAccuracy = independent.Average(seed => seed.Single(o => o.Task == l.Task && o.Level == l.Level).MacroAccuracy),
        }).ToArray();

        return new SweepTestReport(seeds,
            tested.Select(t => new SweepTestedTrial(t.Trial.Id, t.Levels.Select(Level).ToArray(),
                t.LevelsBySeed.Select(s => (IReadOnlyList<SweepLevel>)s.Select(Level).ToArray()).ToArray(), t.FitSeconds)).ToArray(),
            frontier.ToDictionary(f => f.TaskName, f => (IReadOnlyList<SweepFrontierPoint>)f.Points
                .Select(p => new SweepFrontierPoint(p.Trial, p.Level, p.ParameterCount, p.MicroAccuracy)).ToArray()),
            independentMean.Select(l => new SweepLevel(l.Task, l.Level, l.Parameters, l.Accuracy, l.MacroAccuracy, double.NaN)).ToArray(),
            independent.Select(seed => (IReadOnlyList<SweepLevel>)seed.Select(l => new SweepLevel(l.Task, l.Level, l.Parameters, l.Accuracy, l.MacroAccuracy, double.NaN)).ToArray()).ToArray());
    }

    private static SweepLevel Level(DvnSweepLevel l) => new(l.TaskName, l.Level, l.ParameterCount, l.MicroAccuracy, l.MacroAccuracy, l.LogLoss);
}

/// <param name="Seeds">The training seeds of every refit and independent network.</param>
/// <param name="Trials">Every tested trial (id 0: the default options), the mean over seeds and each seed.</param>
/// <param name="Frontier">Per task, the frontier of the tested trials' mean test accuracy (the default options left out).</param>
/// <param name="Independent">The independent networks of the default levels' sizes, the mean over seeds.</param>
/// <param name="IndependentBySeed">The same, each seed.</param>
internal sealed record SweepTestReport(IReadOnlyList<int> Seeds, IReadOnlyList<SweepTestedTrial> Trials,
    IReadOnlyDictionary<string, IReadOnlyList<SweepFrontierPoint>> Frontier, IReadOnlyList<SweepLevel> Independent,
    IReadOnlyList<IReadOnlyList<SweepLevel>> IndependentBySeed);

internal sealed record SweepTestedTrial(int Id, IReadOnlyList<SweepLevel> Levels, IReadOnlyList<IReadOnlyList<SweepLevel>> LevelsBySeed, double FitSeconds);
