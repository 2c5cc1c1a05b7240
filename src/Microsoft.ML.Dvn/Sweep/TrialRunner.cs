using System.Diagnostics;
using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// Fits the user's whole pipeline for one set of options on the training part of every split and measures every
/// (task, level) on the held-out part: with cross-validation, the mean over folds. Tasks are identified by name: each
/// fold's pipeline numbers them its own way, and the results carry the whole data's key of the name.
/// </summary>
internal sealed class TrialRunner(Func<DvnEstimator.Options, IEstimator<ITransformer>> pipeline, IReadOnlyList<DataOperationsCatalog.TrainTestData> splits,
    IReadOnlyList<string> taskNames)
{
    /// <param name="Levels">Every (task, level), averaged over folds.</param>
    /// <param name="FitSeconds">Wall time of the fits.</param>
    /// <param name="EvaluationSeconds">Wall time of the evaluations.</param>
    /// <param name="Checkpoints">Each fold's training state after its last epoch, when the fits were stretches of a longer training.</param>
    public sealed record Measurement(IReadOnlyList<DvnSweepLevel> Levels, double FitSeconds, double EvaluationSeconds, IReadOnlyList<TrainingCheckpoint?> Checkpoints);

    /// <summary>The number of fits a trial makes: one a fold.</summary>
    public int Folds => splits.Count;

    /// <summary>Thrown with the fit time spent before a fit or an evaluation failed.</summary>
    public sealed class Failure(Exception inner, double fitSeconds) : Exception(inner.Message, inner)
    {
        public double FitSeconds { get; } = fitSeconds;
    }

    /// <summary>
    /// Fits and measures every fold. <paramref name="scheduleEpochs"/>: the fits are stretches of a training of that many
    /// epochs (their schedules span it, and their states are kept in the measurement), each fold's continuing from its
    /// checkpoint in <paramref name="resume"/> when there is one.
    /// </summary>
    public Measurement Run(DvnEstimator.Options options, int? scheduleEpochs = null, IReadOnlyList<TrainingCheckpoint?>? resume = null)
    {
        double fitSeconds = 0, evaluationSeconds = 0;
        var perFold = new List<IReadOnlyList<DvnSweepLevel>>();
        var checkpoints = new TrainingCheckpoint?[splits.Count];
        var clock = Stopwatch.StartNew();
        try
        {
            for (int fold = 0; fold < splits.Count; fold++)
            {
                var split = splits[fold];
                clock.Restart();
                var continuation = scheduleEpochs is int epochs ? new TrainingContinuation(epochs, resume?[fold]) : null;
                options.Continuation = continuation;
                var model = Fit(pipeline, options, split.TrainSet);
                checkpoints[fold] = continuation?.Saved;
                fitSeconds += clock.Elapsed.TotalSeconds;
                clock.Restart();
                perFold.Add(Measure(model, split.TestSet, taskNames));
                evaluationSeconds += clock.Elapsed.TotalSeconds;
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new Failure(e, fitSeconds + clock.Elapsed.TotalSeconds);
        }
        finally
        {
            options.Continuation = null;
        }
        return new Measurement(Average(perFold), fitSeconds, evaluationSeconds, checkpoints);
    }

    public static ITransformer Fit(Func<DvnEstimator.Options, IEstimator<ITransformer>> pipeline, DvnEstimator.Options options, IDataView data)
    {
        var estimator = pipeline(options) ?? throw new InvalidOperationException("The sweep's pipeline factory returned null instead of an estimator.");
        return estimator.Fit(data);
    }

    /// <summary>Every (task, level) of a fitted pipeline on <paramref name="data"/>, its task named and keyed as in <paramref name="taskNames"/>.</summary>
    public static IReadOnlyList<DvnSweepLevel> Measure(ITransformer model, IDataView data, IReadOnlyList<string> taskNames)
    {
        var dvn = model.GetDvnTransformer();
        return model.EvaluateDvnLevels(data).Select(m =>
        {
            string name = dvn.GetTaskName(m.Task);
            int key = IndexOf(taskNames, name) + 1;
            if (key == 0)
                throw new InvalidOperationException($"A fit of the sweep's pipeline has task '{name}', which the whole data's task column " +
                                                    $"does not have ({string.Join(", ", taskNames.Select(t => $"'{t}'"))}).");
            return new DvnSweepLevel(key, name, m.Level, m.ParameterCount, m.MicroAccuracy, m.MacroAccuracy, m.LogLoss);
        }).OrderBy(l => l.Task).ThenBy(l => l.Level).ToArray();
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name)
                return i;
        return -1;
    }

    // By task key and level; a (task, level) missing from a fold (no held-out rows of the task there) is averaged over
    // the folds that have it.
    internal static IReadOnlyList<DvnSweepLevel> Average(List<IReadOnlyList<DvnSweepLevel>> folds) =>
        folds.SelectMany(f => f).GroupBy(l => (l.Task, l.Level)).OrderBy(g => g.Key.Task).ThenBy(g => g.Key.Level)
            .Select(g => g.Count() == 1 ? g.First() : new DvnSweepLevel(g.Key.Task, g.First().TaskName, g.Key.Level, g.Max(l => l.ParameterCount),
                g.Average(l => l.MicroAccuracy), g.Average(l => l.MacroAccuracy), g.Average(l => l.LogLoss)))
            .ToArray();
}
