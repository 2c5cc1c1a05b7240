using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Pipeline;
using Microsoft.ML.Dvn.Sweep;
using Microsoft.ML.Dvn.Sweep.Studies;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn;

/// <summary>
/// Searches <see cref="DvnEstimator.Options"/> for the best accuracy/size frontier of every task. Every trial fits the
/// user's whole pipeline (the factory from options to estimator) on the training part of a seeded split and measures
/// every (task, level) on the held-out part; the result holds every trial, the frontier of every task and the best
/// trial by any objective, and <see cref="Refit"/> trains the chosen options on all the data.
/// </summary>
/// <remarks>
/// <para>Shaped like AutoML's sweepable estimators (a factory from a parameter object to an estimator, and a search
/// space over it), so that it can be handed to AutoML where that package is available.</para>
/// <para>The data is cached once (ML.NET's Cache) and every split and trial reads the cache. Failed trials are
/// recorded with their message and the sweep goes on. The time budget, the cancellation token and the MLContext's
/// cancellation stop the trial under way (when the factory passes the given options on to the DVN trainer) and
/// return what finished. Progress goes to MLContext.Log and to <see cref="DvnSweepSettings.TrialCompleted"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// var sweep = new DvnSweep(ml,
///     options => ml.Transforms.Conversion.MapValueToKey("Task")
///         .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
///         .Append(ml.MulticlassClassification.Trainers.Dvn(options)),
///     new DvnSearchSpace { LearningRate = DvnSearch.LogUniform(3e-4, 3e-3), NumberOfEpochs = DvnSearch.Fixed(9) },
///     new DvnSweepSettings { Strategy = DvnSweepStrategy.Halving, MaximumTrials = 9, TimeBudget = TimeSpan.FromMinutes(10) });
/// DvnSweepResult result = sweep.Run(data);
/// foreach (var task in result.Frontier)
///     Console.WriteLine($"{task.TaskName}: {string.Join(", ", task.Points.Select(p => $"{p.ParameterCount:N0} -> {p.MicroAccuracy:P1}"))}");
/// ITransformer model = sweep.Refit(data, result.Best()!);
/// </code>
/// </example>
public sealed class DvnSweep
{
    private readonly MLContext _ml;
    private readonly IHostEnvironment _env;
    private readonly Func<DvnEstimator.Options, IEstimator<ITransformer>> _pipeline;

    /// <param name="mlContext">The context of the trials: its log gets the progress, its seed is the default seed, its cancellation stops the sweep.</param>
    /// <param name="pipeline">Builds the whole pipeline (transforms, the DVN trainer with the given options, and what follows) for a trial.</param>
    /// <param name="searchSpace">What to search; null searches the default space.</param>
    /// <param name="settings">How to search; null takes the defaults.</param>
    public DvnSweep(MLContext mlContext, Func<DvnEstimator.Options, IEstimator<ITransformer>> pipeline,
        DvnSearchSpace? searchSpace = null, DvnSweepSettings? settings = null)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        // IInternalCatalog is internal to Microsoft.ML.Data; it is how ML.NET's components reach the context's environment
        // (its log, its seed and the cancellation flag that MLContext's cancellation sets).
        _env = ((IInternalCatalog)mlContext.MulticlassClassification).Environment;
        SearchSpace = searchSpace ?? new DvnSearchSpace();
        Settings = settings ?? new DvnSweepSettings();
    }

    /// <summary>What the sweep searches.</summary>
    public DvnSearchSpace SearchSpace { get; }

    /// <summary>How it searches.</summary>
    public DvnSweepSettings Settings { get; }

    /// <summary>Runs the sweep on <paramref name="data"/> (the pipeline's input: the factory's transforms are fitted inside every trial).</summary>
    /// <param name="data">Rows of every task, in the pipeline's input form.</param>
    /// <param name="cancellationToken">Stops the sweep; what finished is returned.</param>
    /// <exception cref="ArgumentException">The search space, or the objective, cannot be used on this data (nothing was trained).</exception>
    /// <exception cref="InvalidOperationException">The settings' study cannot be opened, or was created for another sweep (nothing was trained or written).</exception>
    public DvnSweepResult Run(IDataView data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var settings = Settings.Check();
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.TimeBudget is TimeSpan budget)
            stop.CancelAfter(budget);
        var host = _env.Register("DvnSweep");
        bool StopRequested() => stop.IsCancellationRequested || ((ICancelable)host).IsCanceled;
        using var poll = CancellationPolling.Start(StopRequested, stop);
        using var channel = host.Start("Sweep");
        int seed = settings.Seed ?? ((IHostEnvironmentInternal)_env).Seed ?? 0;

        var cached = _ml.Data.Cache(data);
        // The tasks as the DVN sees them after the pipeline's own transforms, from the whole data.
        var summary = PipelineProbe.Read(_pipeline, SearchSpace.BaseOptions, cached, stop.Token);
        int tasks = summary.TaskNames.Count;
        SearchSpace.Check(tasks);
        var sizes = SweepSizes.Of(SearchSpace, summary);
        var objective = settings.Objective.For(sizes);
        var evaluation = settings.Evaluation;
        var splits = evaluation.NumberOfFolds == 1
            ? new[] { _ml.Data.TrainTestSplit(cached, evaluation.TestFraction, evaluation.SamplingKeyColumnName, seed) }
            : _ml.Data.CrossValidationSplit(cached, evaluation.NumberOfFolds, evaluation.SamplingKeyColumnName, seed).ToArray();

        // Every fit keeps each task, by name, on the units the whole data's keys give it (its folds number tasks their own way).
        var unitOrder = SearchSpace.BaseOptions.TaskColumnName is null || tasks == 1 ? null : summary.TaskNames;
        var run = new SweepRun(this, new TrialRunner(_pipeline, splits, summary.TaskNames), channel, seed, tasks, objective, unitOrder,
            stop.Token, StopRequested);
        if (settings.Study is { } study)
        {
            long rows = cached.GetRowCount() ?? CountRows(cached);
            var identity = StudyIdentity.For(settings, seed, run.ThreadsPerTrial, SearchSpace.MaximumEpochs,
                SearchSpace.Defaults with { NumberOfEpochs = SearchSpace.MaximumEpochs }, run.Configurations, summary, rows);
            run.UseStudy(StudyStore.Open(study, identity));
        }
        channel.Info($"DVN sweep: {settings.Strategy}, at most {settings.MaximumTrials} trials" +
                     (settings.TimeBudget is TimeSpan b ? $" or {b.TotalMinutes:0.#} minutes" : "") +
                     $", {evaluation}, objective {settings.Objective}, seed {seed}, {tasks} tasks ({string.Join(", ", summary.TaskNames)}).");
        // In a study whose other worker runs the base options, this worker runs trials and comes back for them after.
        bool baseHeld = false;
        var baseTrial = settings.EvaluateBaseOptions ? run.EvaluateBaseOptions(wait: false, out baseHeld) : null;
        switch (settings.Strategy)
        {
            case DvnSweepStrategy.Grid:
                run.Grid();
                break;
            case DvnSweepStrategy.Random:
                run.Random();
                break;
            case DvnSweepStrategy.AsyncHalving:
                run.AsyncHalving();
                break;
            default:
                run.Halving();
                break;
        }
        if (baseHeld && !run.Stopped)
            baseTrial = run.EvaluateBaseOptions(wait: true, out _);
        string? stopReason = run.Stopped ? StopReason(cancellationToken, host, settings)
            : run.NotInStudy > 0 ? $"read from the {settings.Study}: {run.NotInStudy} evaluations not finished yet" : null;
        var result = new DvnSweepResult(settings, seed, baseTrial, run.Trials, run.Skipped, clock.Elapsed, stopReason, sizes);
        channel.Info($"DVN sweep finished in {clock.Elapsed.TotalSeconds:F1} s: {run.Trials.Count} trials " +
                     $"({run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed)} completed, " +
                     $"{run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Pruned)} pruned, " +
                     $"{run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Stopped)} stopped, " +
                     $"{run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Failed)} failed)" + (stopReason is null ? "." : $"; stopped: {stopReason}."));
        return result;
    }

    /// <summary>
    /// Fits the pipeline with a trial's options (its full number of epochs, its seed, its task order) on
    /// <paramref name="data"/>: a ready pipeline, the same model as a plain fit of <see cref="DvnSweepTrial.ToOptions"/>
    /// with the search space's base options.
    /// </summary>
    public ITransformer Refit(IDataView data, DvnSweepTrial trial)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(trial);
        return _pipeline(trial.ToOptions(SearchSpace.BaseOptions)).Fit(data);
    }

    /// <summary>
    /// The truth about chosen trials: each is refitted on <paramref name="trainData"/> once per seed (its options with
    /// that seed, its full epochs) and every (task, level) is measured on <paramref name="testData"/>. Tasks are named
    /// and keyed as in the training data. Use it on the frontier's trials (<see cref="DvnSweepResult.Frontier"/>) and on
    /// <see cref="DvnSweepResult.BaseOptionsTrial"/>, then compare test-set frontiers with <see cref="DvnTaskFrontier.Of"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var chosen = result.Trials.Where(t => result.Frontier.Any(f => f.Points.Any(p => p.Trial == t.Id)));
    /// var tested = sweep.Test(train, test, chosen, seeds: new[] { 1, 2, 3 });
    /// var testFrontier = DvnTaskFrontier.Of(tested.Select(t => (t.Trial.Id, t.Levels)));
    /// </code>
    /// </example>
    public IReadOnlyList<DvnSweepTestResult> Test(IDataView trainData, IDataView testData, IEnumerable<DvnSweepTrial> trials, IEnumerable<int> seeds)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(testData);
        ArgumentNullException.ThrowIfNull(trials);
        var seedList = seeds?.ToArray() ?? throw new ArgumentNullException(nameof(seeds));
        if (seedList.Length == 0)
            throw new ArgumentException("Test needs at least one seed.", nameof(seeds));
        var cached = _ml.Data.Cache(trainData);
        var names = PipelineProbe.Read(_pipeline, SearchSpace.BaseOptions, cached, CancellationToken.None).TaskNames;
        var results = new List<DvnSweepTestResult>();
        foreach (var trial in trials)
        {
            var clock = Stopwatch.StartNew();
            var bySeed = seedList.Select(s =>
            {
                var options = trial.ToOptions(SearchSpace.BaseOptions);
                options.Seed = s;
                return TrialRunner.Measure(TrialRunner.Fit(_pipeline, options, cached), testData, names);
            }).ToArray();
            var mean = bySeed.SelectMany(l => l).GroupBy(l => (l.Task, l.Level)).OrderBy(g => g.Key.Task).ThenBy(g => g.Key.Level)
                .Select(g => g.First() with
                {
                    ParameterCount = g.Max(l => l.ParameterCount), MicroAccuracy = g.Average(l => l.MicroAccuracy),
                    MacroAccuracy = g.Average(l => l.MacroAccuracy), LogLoss = g.Average(l => l.LogLoss),
                }).ToArray();
            results.Add(new DvnSweepTestResult(trial, seedList, mean, bySeed, clock.Elapsed.TotalSeconds));
        }
        return results;
    }

    private static long CountRows(IDataView data)
    {
        long rows = 0;
        using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
            rows++;
        return rows;
    }

    private static string StopReason(CancellationToken token, IHost host, DvnSweepSettings settings) =>
        token.IsCancellationRequested ? "cancelled by the caller's token"
        : ((ICancelable)host).IsCanceled ? "cancelled through the MLContext"
        : $"the time budget of {settings.TimeBudget?.TotalMinutes:0.##} minutes ran out";
}
