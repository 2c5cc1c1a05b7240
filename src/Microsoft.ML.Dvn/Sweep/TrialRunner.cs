using System.Diagnostics;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// Fits the user's whole pipeline for one set of options on the training part of every split and measures every
/// (task, level) on the held-out part: with cross-validation, the mean over folds.
/// </summary>
internal sealed class TrialRunner(Func<DvnEstimator.Options, IEstimator<ITransformer>> pipeline, IReadOnlyList<DataOperationsCatalog.TrainTestData> splits)
{
    public sealed record Measurement(IReadOnlyList<DvnSweepLevel> Levels, double FitSeconds, double EvaluationSeconds);

    public Measurement Run(DvnEstimator.Options options)
    {
        double fitSeconds = 0, evaluationSeconds = 0;
        var perFold = new List<IReadOnlyList<DvnSweepLevel>>();
        foreach (var split in splits)
        {
            var clock = Stopwatch.StartNew();
            var estimator = pipeline(options) ?? throw new InvalidOperationException("The sweep's pipeline factory returned null instead of an estimator.");
            var model = estimator.Fit(split.TrainSet);
            fitSeconds += clock.Elapsed.TotalSeconds;

            clock.Restart();
            var dvn = model.GetDvnTransformer();
            perFold.Add(model.EvaluateDvnLevels(split.TestSet)
                .Select(m => new DvnSweepLevel(dvn.GetTaskName(m.Task), m.Task, m.Level, m.ParameterCount, m.MicroAccuracy, m.MacroAccuracy, m.LogLoss))
                .ToArray());
            evaluationSeconds += clock.Elapsed.TotalSeconds;
        }
        return new Measurement(Average(perFold), fitSeconds, evaluationSeconds);
    }

    // A (task, level) missing from a fold (no held-out rows of the task there) is averaged over the folds that have it.
    private static IReadOnlyList<DvnSweepLevel> Average(List<IReadOnlyList<DvnSweepLevel>> folds) =>
        folds.SelectMany(f => f).GroupBy(l => (l.TaskKey, l.Level)).OrderBy(g => g.Key.TaskKey).ThenBy(g => g.Key.Level)
            .Select(g => g.Count() == 1 ? g.First() : new DvnSweepLevel(g.First().Task, g.Key.TaskKey, g.Key.Level, g.Max(l => l.ParameterCount),
                g.Average(l => l.Accuracy), g.Average(l => l.MacroAccuracy), g.Average(l => l.LogLoss)))
            .ToArray();
}
