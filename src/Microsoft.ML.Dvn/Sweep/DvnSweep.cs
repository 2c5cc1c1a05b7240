using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Sweep;
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
///     Console.WriteLine($"{task.Task}: {string.Join(", ", task.Points.Select(p => $"{p.ParameterCount:N0} -> {p.Accuracy:P1}"))}");
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
    public DvnSweepResult Run(IDataView data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var settings = Settings.Check();
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.TimeBudget is TimeSpan budget)
            stop.CancelAfter(budget);
        var host = _env.Register("DvnSweep");
        // MLContext's cancellation sets a flag on its environment; poll it, as the DVN trainer does.
        bool StopRequested() => stop.IsCancellationRequested || ((ICancelable)host).IsCanceled;
        using var poll = new Timer(_ => { if (StopRequested()) stop.Cancel(); }, null, 100, 100);
        using var channel = host.Start("Sweep");
        int seed = settings.Seed ?? ((IHostEnvironmentInternal)_env).Seed ?? 0;

        var cached = _ml.Data.Cache(data);
        int tasks = TaskCount.Of(cached, SearchSpace.BaseOptions.TaskColumnName);
        SearchSpace.Check(tasks);
        var evaluation = settings.Evaluation;
        var splits = evaluation.NumberOfFolds == 1
            ? new[] { _ml.Data.TrainTestSplit(cached, evaluation.TestFraction, evaluation.SamplingKeyColumnName, seed) }
            : _ml.Data.CrossValidationSplit(cached, evaluation.NumberOfFolds, evaluation.SamplingKeyColumnName, seed).ToArray();

        var run = new SweepRun(this, new TrialRunner(_pipeline, splits), channel, seed, tasks, stop.Token, StopRequested);
        channel.Info($"DVN sweep: {settings.Strategy}, at most {settings.MaximumTrials} trials" +
                     (settings.TimeBudget is TimeSpan b ? $" or {b.TotalMinutes:0.#} minutes" : "") +
                     $", {evaluation}, objective {settings.Objective}, seed {seed}, {tasks} tasks.");
        var baseTrial = settings.EvaluateBaseOptions ? run.EvaluateBaseOptions() : null;
        switch (settings.Strategy)
        {
            case DvnSweepStrategy.Grid:
                run.Grid();
                break;
            case DvnSweepStrategy.Random:
                run.Random();
                break;
            default:
                run.Halving();
                break;
        }
        string? stopReason = run.Stopped ? StopReason(cancellationToken, host, settings) : null;
        var result = new DvnSweepResult(settings, seed, baseTrial, run.Trials, run.Skipped, clock.Elapsed, stopReason);
        channel.Info($"DVN sweep finished in {clock.Elapsed.TotalSeconds:F1} s: {run.Trials.Count} trials " +
                     $"({run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed)} completed, " +
                     $"{run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Pruned)} pruned, " +
                     $"{run.Trials.Count(t => t.Status == DvnSweepTrialStatus.Failed)} failed)" + (stopReason is null ? "." : $"; stopped: {stopReason}."));
        return result;
    }

    /// <summary>
    /// Fits the pipeline with a trial's options (its full number of epochs, its seed) on <paramref name="data"/>: a
    /// ready pipeline, the same model as a plain fit of <see cref="DvnSweepTrial.ToOptions"/> with the search space's base options.
    /// </summary>
    public ITransformer Refit(IDataView data, DvnSweepTrial trial)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(trial);
        return _pipeline(trial.ToOptions(SearchSpace.BaseOptions)).Fit(data);
    }

    private static string StopReason(CancellationToken token, IHost host, DvnSweepSettings settings) =>
        token.IsCancellationRequested ? "cancelled by the caller's token"
        : ((ICancelable)host).IsCanceled ? "cancelled through the MLContext"
        : $"the time budget of {settings.TimeBudget?.TotalMinutes:0.##} minutes ran out";

    /// <summary>The state of one run: the trials so far and the budgets.</summary>
    private sealed class SweepRun(DvnSweep sweep, TrialRunner runner, IChannel channel, int seed, int tasks, CancellationToken stop,
        Func<bool> stopRequested)
    {
        private readonly DvnSweepSettings _settings = sweep.Settings;
        private readonly DvnSearchSpace _space = sweep.SearchSpace;

        public List<DvnSweepTrial> Trials { get; } = new();

        public List<DvnSweepSkipped> Skipped { get; } = new();

        public bool Stopped { get; private set; }

        public DvnSweepTrial? EvaluateBaseOptions()
        {
            var o = _space.BaseOptions;
            var parameters = new DvnSweepParameters(o.LearningRate, o.BatchSize, _space.MaximumEpochs, o.WeightDecay, o.NumberOfUnits,
                o.NumberOfLevels, o.Architecture);
            return Evaluate(0, parameters, parameters.NumberOfEpochs, final: true);
        }

        public void Grid()
        {
            foreach (var (parameters, combination, reason) in _space.Grid(tasks))
            {
                if (Trials.Count >= _settings.MaximumTrials || IsStopped())
                    return;
                if (parameters is null)
                    Skipped.Add(new DvnSweepSkipped(combination, reason!));
                else
                    Add(Evaluate(Trials.Count + 1, parameters, parameters.NumberOfEpochs, final: true));
            }
        }

        public void Random()
        {
            var random = new Random(seed);
            for (int id = 1; id <= _settings.MaximumTrials && !IsStopped(); id++)
                Add(Evaluate(id, _space.Sample(random, tasks), null, final: true));
        }

        /// <summary>
        /// Successive halving: every configuration trains the first round's epochs; the best 1/factor by the objective
        /// (compared within the round) go on to factor times the epochs, up to the space's largest number of epochs.
        /// Every round trains from scratch with the same seed, so a configuration's last round is exactly a plain fit.
        /// </summary>
        public void Halving()
        {
            var random = new Random(seed);
            var configurations = Enumerable.Range(1, _settings.MaximumTrials).Select(id => (Id: id, Parameters: _space.Sample(random, tasks))).ToList();
            var rounds = HalvingRounds(configurations.Count, _settings.HalvingFactor, _space.MaximumEpochs);
            var spent = new Dictionary<int, (double Fit, double Evaluation)>();
            for (int round = 0; round < rounds.Length && configurations.Count > 0; round++)
            {
                bool last = round == rounds.Length - 1;
                var results = new List<DvnSweepTrial>();
                foreach (var (id, parameters) in configurations)
                {
                    var trial = IsStopped() ? null : Evaluate(id, parameters with { NumberOfEpochs = _space.MaximumEpochs }, rounds[round], last);
                    if (trial is null)
                    {
                        // Stopped: what this round finished is returned as it stands (pruned before its last round).
                        results.ForEach(Add);
                        return;
                    }
                    var before = spent.GetValueOrDefault(id);
                    spent[id] = (before.Fit + trial.FitSeconds, before.Evaluation + trial.EvaluationSeconds);
                    results.Add(trial with { FitSeconds = spent[id].Fit, EvaluationSeconds = spent[id].Evaluation });
                }
                var finished = results.Where(t => t.Status == DvnSweepTrialStatus.Failed || last).ToList();
                if (!last)
                {
                    var field = results.Where(t => t.Status != DvnSweepTrialStatus.Failed).Select(t => t.Levels).ToArray();
                    var ranked = results.Where(t => t.Status != DvnSweepTrialStatus.Failed)
                        .Select(t => (Trial: t, Score: _settings.Objective.Score(t.Levels, field)))
                        .OrderByDescending(s => double.IsNaN(s.Score) ? double.NegativeInfinity : s.Score).ThenBy(s => s.Trial.Id).ToList();
                    int keep = (ranked.Count + _settings.HalvingFactor - 1) / _settings.HalvingFactor;
                    var promoted = ranked.Take(keep).Select(s => s.Trial.Id).ToHashSet();
                    finished.AddRange(ranked.Skip(keep).Select(s => s.Trial with { Status = DvnSweepTrialStatus.Pruned }));
                    channel.Info($"Halving round {round + 1}/{rounds.Length} ({rounds[round]} epochs): promoted trials {string.Join(", ", promoted.Order())}.");
                    configurations = configurations.Where(c => promoted.Contains(c.Id)).ToList();
                }
                foreach (var trial in finished.OrderBy(t => t.Id))
                    Add(trial);
            }
        }

        /// <summary>The epochs of every round: the largest last, each earlier one 1/factor of the next, fewer rounds where they would repeat.</summary>
        internal static int[] HalvingRounds(int configurations, int factor, int maximumEpochs)
        {
            int rounds = 1;
            for (long kept = configurations; kept > 1 && rounds < 32; kept = (kept + factor - 1) / factor)
                rounds++;
            var epochs = new List<int>();
            double e = maximumEpochs;
            for (int r = 0; r < rounds; r++, e /= factor)
            {
                int value = Math.Max(1, (int)Math.Round(e));
                if (epochs.Count > 0 && value >= epochs[^1])
                    break;
                epochs.Add(value);
            }
            epochs.Reverse();
            return epochs.ToArray();
        }

        private bool IsStopped()
        {
            if (stopRequested())
                Stopped = true;
            return Stopped;
        }

        private void Add(DvnSweepTrial? trial)
        {
            if (trial is null)
                return;
            Trials.Add(trial);
            _settings.TrialCompleted?.Invoke(trial);
        }

        /// <summary>
        /// One fit-and-measure of a configuration at <paramref name="epochs"/> (its own when null); null when the sweep
        /// was stopped during it. <paramref name="final"/>: a completed result is final (not a round to be ranked).
        /// </summary>
        private DvnSweepTrial? Evaluate(int id, DvnSweepParameters parameters, int? epochs, bool final)
        {
            int trained = epochs ?? parameters.NumberOfEpochs;
            var options = (parameters with { NumberOfEpochs = trained }).ToOptions(_space.BaseOptions, seed);
            options.Cancellation = stop;
            string name = id == 0 ? "Base options" : $"Trial {id}";
            try
            {
                var measured = runner.Run(options);
                var status = final ? DvnSweepTrialStatus.Completed : DvnSweepTrialStatus.Pruned;
                var trial = new DvnSweepTrial(id, status, parameters, trained, measured.FitSeconds, measured.EvaluationSeconds, measured.Levels, null, seed);
                channel.Info($"{name} ({trained} epochs; {parameters}): mean accuracy {measured.Levels.Average(l => l.Accuracy):P2}, " +
                             $"fit {measured.FitSeconds:F1} s.");
                return trial;
            }
            catch (OperationCanceledException) when (stopRequested())
            {
                Stopped = true;
                channel.Info($"{name} stopped: the sweep was cancelled or ran out of time.");
                return null;
            }
            catch (Exception e)
            {
                channel.Warning($"{name} failed ({parameters}): {e.GetType().Name}: {e.Message}");
                return new DvnSweepTrial(id, DvnSweepTrialStatus.Failed, parameters, trained, 0, 0, Array.Empty<DvnSweepLevel>(),
                    $"{e.GetType().Name}: {e.Message}", seed);
            }
        }
    }
}
