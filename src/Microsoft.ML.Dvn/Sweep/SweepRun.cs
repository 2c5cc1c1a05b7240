using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML.Dvn.Sweep.Studies;
using Microsoft.ML.Dvn.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// The state of one run: the trials so far and the budgets. Its objective is the settings' objective bound to the
/// sweep's sizes; its task names (the whole data's, in key order) go into every fit's TaskUnitOrder, or are null where
/// the trainer decides the order.
/// </summary>
internal sealed class SweepRun(DvnSweep sweep, TrialRunner runner, IChannel channel, int seed, int tasks, DvnSweepObjective objective,
    IReadOnlyList<string>? taskNames, CancellationToken stop, Func<bool> stopRequested)
{
    private List<DvnSweepParameters>? _configurations;
    private StudyStore? _study;
    private int _notInStudy;
    // Halving: each configuration's training state after its latest round, by (trial, epochs), one entry a fold.
    private readonly ConcurrentDictionary<(int Trial, int Epochs), IReadOnlyList<TrainingCheckpoint?>> _checkpoints = new();

    private readonly DvnSweepSettings _settings = sweep.Settings;
    private readonly DvnSearchSpace _space = sweep.SearchSpace;
    private readonly object _finishing = new();
    private readonly int? _threads = sweep.Settings.ThreadsPerTrial ?? (sweep.Settings.ParallelTrials > 1 ? 1 : null);
    private volatile bool _stopped;

    /// <summary>The libtorch threads of every trial's fits, where the base options leave them to the sweep.</summary>
    public int? ThreadsPerTrial => _space.BaseOptions.NumberOfThreads ?? _threads;

    public List<DvnSweepTrial> Trials { get; } = new();

    public List<DvnSweepSkipped> Skipped { get; } = new();

    public bool Stopped => _stopped;

    /// <summary>This process's name in a study's claims: machine, process and a random part (several sweeps in one process).</summary>
    public string Worker { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Evaluations a read-only study did not have (not finished yet).</summary>
    public int NotInStudy => _notInStudy;

    /// <summary>
    /// The default options at the most epochs. <paramref name="wait"/>: in a study where another worker runs it, wait for
    /// its result (else null, with <paramref name="held"/> set, to be asked again after the sweep's own trials).
    /// </summary>
    public DvnSweepTrial? EvaluateBaseOptions(bool wait, out bool held)
    {
        var parameters = _space.Defaults with { NumberOfEpochs = _space.MaximumEpochs };
        return Evaluate(0, parameters, parameters.NumberOfEpochs, final: true, null, wait, out held);
    }

    /// <summary>
    /// The configurations of the sweep's trials, trial i + 1 at index i: the grid's first ones that the trainer accepts
    /// (the others go to <see cref="Skipped"/>), or the first draws of the seeded random search (also halving's).
    /// </summary>
    public IReadOnlyList<DvnSweepParameters> Configurations => _configurations ??= Choose();

    /// <summary>
    /// Keeps every result in <paramref name="study"/>, takes the ones it already has from it, and claims every other
    /// evaluation there before running it, so that other workers of the study run the rest.
    /// </summary>
    public void UseStudy(StudyStore study) => _study = study;

    public void Grid() =>
        RunAll(Configurations.Count, (i, wait) => (Evaluate(i + 1, Configurations[i], Configurations[i].NumberOfEpochs, final: true, null, wait, out bool held), held), Add);

    public void Random() =>
        RunAll(Configurations.Count, (i, wait) => (Evaluate(i + 1, Configurations[i], null, final: true, null, wait, out bool held), held), Add);

    private List<DvnSweepParameters> Choose()
    {
        var chosen = new List<DvnSweepParameters>();
        if (_settings.Strategy == DvnSweepStrategy.Grid)
        {
            foreach (var (parameters, combination, reason) in _space.Grid(tasks))
            {
                if (chosen.Count >= _settings.MaximumTrials)
                    break;
                if (parameters is null)
                    Skipped.Add(new DvnSweepSkipped(combination, reason!));
                else
                    chosen.Add(parameters);
            }
            return chosen;
        }
        var random = new Random(seed);
        for (int i = 0; i < _settings.MaximumTrials; i++)
            chosen.Add(_space.Sample(random, tasks));
        return chosen;
    }

    /// <summary>
    /// Successive halving: every configuration trains the first round's epochs; the best 1/factor by the objective
    /// (<see cref="TrialRanking"/>) go on to factor times the epochs, up to the space's largest number of epochs.
    /// Every round is a stretch of one training of the largest number of epochs (its learning-rate schedule spans them)
    /// and continues the configuration's previous round from its checkpoint (the sweep's memory, or the study), so a
    /// configuration's last round is exactly a plain fit of its epochs, and a promoted configuration trains only its new
    /// epochs. Without a checkpoint (a factory that does not pass the options on, a study without it) a round trains
    /// from the start, with the same result.
    /// When the sweep stops, every configuration still in the running is recorded as stopped, with its last round.
    /// </summary>
    public void Halving()
    {
        var configurations = Configurations.Select((parameters, i) => (Id: i + 1, Parameters: parameters)).ToList();
        var rounds = HalvingRounds(configurations.Count, _settings.HalvingFactor, _space.MaximumEpochs);
        var spent = new Dictionary<int, (double Fit, double Evaluation, int Epochs)>();
        var latest = new Dictionary<int, DvnSweepTrial>();
        for (int round = 0; round < rounds.Length && configurations.Count > 0; round++)
        {
            bool last = round == rounds.Length - 1;
            var running = configurations;
            var epochs = rounds[round];
            var stretch = new Stretch(_space.MaximumEpochs, round == 0 ? null : rounds[round - 1], Keep: !last);
            var outcomes = RunAll(running.Count,
                (i, wait) => (Evaluate(running[i].Id, running[i].Parameters with { NumberOfEpochs = _space.MaximumEpochs }, epochs, last, stretch, wait,
                    out bool held), held));
            var results = new List<DvnSweepTrial>();
            foreach (var trial in outcomes.OfType<DvnSweepTrial>())
            {
                var before = spent.GetValueOrDefault(trial.Id);
                spent[trial.Id] = (before.Fit + trial.FitSeconds, before.Evaluation + trial.EvaluationSeconds, before.Epochs + trial.TrainedEpochs);
                results.Add(trial with
                {
                    FitSeconds = spent[trial.Id].Fit, EvaluationSeconds = spent[trial.Id].Evaluation, TrainedEpochs = spent[trial.Id].Epochs,
                });
            }
            // No round continues the previous one's states any more: every result of this round is in.
            if (round > 0 && outcomes.All(o => o is not null))
                foreach (var (id, _) in running)
                    DropCheckpoints(id, rounds[round - 1]);
            if (outcomes.Any(o => o is null))
            {
                // Stopped: a configuration that finished this round keeps it, the others their last round.
                foreach (var (other, _) in configurations)
                    if (results.Find(r => r.Id == other) is { } finished)
                        Add(finished.Status == DvnSweepTrialStatus.Pruned ? finished with { Status = DvnSweepTrialStatus.Stopped } : finished);
                    else if (latest.TryGetValue(other, out var previous))
                        Add(previous with { Status = DvnSweepTrialStatus.Stopped });
                return;
            }
            var finishedNow = results.Where(t => t.Status == DvnSweepTrialStatus.Failed || last).ToList();
            if (!last)
            {
                var ranked = TrialRanking.Rank(results.Where(t => t.Status != DvnSweepTrialStatus.Failed).ToArray(), objective);
                int keep = (ranked.Count + _settings.HalvingFactor - 1) / _settings.HalvingFactor;
                var promoted = ranked.Take(keep).Select(r => r.Trial.Id).ToHashSet();
                foreach (var r in ranked)
                    latest[r.Trial.Id] = WithError(r.Trial, r.Error);
                finishedNow.AddRange(ranked.Skip(keep).Select(r => WithError(r.Trial, r.Error)));
                foreach (var r in ranked.Skip(keep))
                    DropCheckpoints(r.Trial.Id, epochs);
                channel.Info($"Halving round {round + 1}/{rounds.Length} ({rounds[round]} epochs): promoted trials {string.Join(", ", promoted.Order())}.");
                configurations = configurations.Where(c => promoted.Contains(c.Id)).ToList();
            }
            foreach (var trial in finishedNow.OrderBy(t => t.Id))
                Add(trial);
        }
    }

    /// <summary>
    /// Asynchronous successive halving (<see cref="DvnSweepStrategy.AsyncHalving"/>): <see cref="DvnSweepSettings.ParallelTrials"/>
    /// loops, each taking the next job from <see cref="Sweep.AsyncHalving"/> (a promotion, else a new configuration)
    /// and running it as a stretch of the configuration's training, continued from its previous round's checkpoint.
    /// A job another worker of the study holds is tried again when nothing else is free, until its result is in.
    /// At the end every configuration is reported with its highest round: completed at the last, pruned before it
    /// (stopped, when the sweep was stopped).
    /// </summary>
    public void AsyncHalving()
    {
        int count = Configurations.Count;
        var rounds = HalvingRounds(count, _settings.HalvingFactor, _space.MaximumEpochs);
        var asha = new AsyncHalving(count, rounds, _settings.HalvingFactor, objective);
        var gate = new object();
        var poll = TimeSpan.FromMilliseconds(_study is null ? 100 : Math.Clamp(_study.Lease.TotalMilliseconds / 10, 100, 5_000));
        // What the study has (an earlier run, other workers), learned before every choice, so that promotions follow
        // every worker's results; true when something new was learned.
        bool Learn()
        {
            bool learned = false;
            for (int id = 1; id <= count && _study is not null; id++)
                for (int round = 0; round < rounds.Length; round++)
                    if (!asha.Has(id, round) && _study.Find(id, rounds[round]) is { } stored)
                    {
                        var parameters = Configurations[id - 1] with { NumberOfEpochs = _space.MaximumEpochs };
                        Options(parameters with { NumberOfEpochs = rounds[round] }, out var unitOrder);
                        asha.Learn(id, round, Rebuild(id, parameters, rounds[round], round == rounds.Length - 1, stored, unitOrder));
                        learned = true;
                    }
            return learned;
        }

        // Jobs other workers claimed and did not finish: this worker waits for them before it ends (a dead one's is taken over).
        bool WaitForOthers()
        {
            if (_study is null || _study.ReadOnly)
                return false;
            bool any = false;
            foreach (var (trial, epochs) in _study.OpenClaims())
                if (trial >= 1 && trial <= count && Array.IndexOf(rounds, epochs) is int round and >= 0 && !asha.Has(trial, round))
                {
                    asha.HeldElsewhere(trial, round);
                    any = true;
                }
            return any;
        }

        void RunJob((int Id, int Round) job)
        {
            int round = job.Round;
            var stretch = new Stretch(_space.MaximumEpochs, round == 0 ? null : rounds[round - 1], Keep: round < rounds.Length - 1);
            var trial = Evaluate(job.Id, Configurations[job.Id - 1] with { NumberOfEpochs = _space.MaximumEpochs }, rounds[round],
                final: round == rounds.Length - 1, stretch, wait: false, out bool held);
            lock (gate)
                asha.Done(job, trial, held);
        }

        void Loop()
        {
            while (!IsStopped())
            {
                (int Id, int Round)? job;
                IReadOnlyList<(int Id, int Round)> retry = Array.Empty<(int, int)>();
                lock (gate)
                {
                    Learn();
                    job = asha.Take();
                    if (job is null && asha.Held == 0 && asha.Running == 0 && !WaitForOthers() && !Learn())
                        return;
                    if (job is null && asha.Held > 0)
                        retry = asha.TakeHeld();
                }
                if (job is { } next)
                    RunJob(next);
                else if (retry.Count > 0)
                {
                    foreach (var held in retry)
                        RunJob(held);
                    stop.WaitHandle.WaitOne(poll);
                }
                else
                    stop.WaitHandle.WaitOne(poll);   // another loop's job may free a promotion
            }
        }

        if (_settings.ParallelTrials == 1)
            Loop();
        else
            Parallel.For(0, _settings.ParallelTrials, new ParallelOptions { MaxDegreeOfParallelism = _settings.ParallelTrials }, _ => Loop());

        foreach (var (id, round) in asha.Finished())
            DropCheckpoints(id, rounds[round]);
        foreach (var (trial, round) in asha.Latest().OrderBy(l => l.Trial.Id))
        {
            var status = trial.Status == DvnSweepTrialStatus.Failed || round == rounds.Length - 1 ? trial.Status
                : Stopped ? DvnSweepTrialStatus.Stopped : DvnSweepTrialStatus.Pruned;
            Add(trial with { Status = status });
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

    /// <summary>
    /// Runs <paramref name="count"/> trials, <see cref="DvnSweepSettings.ParallelTrials"/> at once, each given to
    /// <paramref name="finished"/> as it ends (one at a time); a trial not started because the sweep stopped, or stopped
    /// during its fit, is null. In a study, a first pass runs what no other worker holds and a second waits for the
    /// rest (taking over what a dead worker held), in the trials' order.
    /// </summary>
    private DvnSweepTrial?[] RunAll(int count, Func<int, bool, (DvnSweepTrial? Trial, bool Held)> evaluate, Action<DvnSweepTrial?>? finished = null)
    {
        var results = new DvnSweepTrial?[count];
        var heldElsewhere = new bool[count];
        void One(int i, bool wait)
        {
            if (IsStopped())
                return;
            var (trial, held) = evaluate(i, wait);
            heldElsewhere[i] = held;
            if (held)
                return;
            results[i] = trial;
            lock (_finishing)
                finished?.Invoke(results[i]);
        }
        void Pass(IReadOnlyList<int> indices, bool wait)
        {
            if (_settings.ParallelTrials == 1)
                foreach (int i in indices.TakeWhile(_ => !IsStopped()))
                    One(i, wait);
            else
                Parallel.ForEach(indices, new ParallelOptions { MaxDegreeOfParallelism = _settings.ParallelTrials }, i => One(i, wait));
        }
        Pass(Enumerable.Range(0, count).ToArray(), wait: _study is null);
        Pass(Enumerable.Range(0, count).Where(i => heldElsewhere[i]).ToArray(), wait: true);
        return results;
    }

    private static DvnSweepTrial WithError(DvnSweepTrial trial, string? error) =>
        error is null ? trial : trial with { Message = trial.Message is null ? error : $"{trial.Message}; {error}" };

    private bool IsStopped()
    {
        if (stopRequested())
            _stopped = true;
        return _stopped;
    }

    // Records a final outcome; a callback that throws is noted on the trial and the sweep goes on.
    private void Add(DvnSweepTrial? trial)
    {
        if (trial is null)
            return;
        try
        {
            _settings.TrialCompleted?.Invoke(trial);
        }
        catch (Exception e)
        {
            channel.Warning($"DvnSweepSettings.TrialCompleted threw for trial {trial.Id}: {e.GetType().Name}: {e.Message}");
            trial = WithError(trial, $"DvnSweepSettings.TrialCompleted threw: {e.GetType().Name}: {e.Message}");
        }
        Trials.Add(trial);
    }

    /// <summary>The options of a trial's fits: its parameters, the sweep's seed and, where it applies, the whole data's task order.</summary>
    private DvnEstimator.Options Options(DvnSweepParameters parameters, out IReadOnlyList<string>? unitOrder)
    {
        var options = parameters.ToOptions(_space.BaseOptions, seed);
        options.NumberOfThreads ??= _threads;
        unitOrder = taskNames is not null && options.TaskUnitOrder is null && options.TaskOrder == DvnTaskOrder.TaskKeys ? taskNames : null;
        if (unitOrder is not null)
            options.TaskUnitOrder = unitOrder.ToArray();
        return options;
    }

    /// <summary>
    /// One fit-and-measure of a configuration at <paramref name="epochs"/> (its own when null); null when the sweep
    /// was stopped during it, or a read-only study does not have it. <paramref name="final"/>: a completed result is
    /// final (not a round to be ranked). In a study: the stored result when there is one; else the configuration is
    /// claimed and run under a lease; when another worker holds it, <paramref name="held"/> is set and null returned,
    /// unless <paramref name="wait"/>, which polls until its result is written or its lease runs out (then takes it over).
    /// </summary>
    private DvnSweepTrial? Evaluate(int id, DvnSweepParameters parameters, int? epochs, bool final, Stretch? stretch, bool wait, out bool held)
    {
        held = false;
        int trained = epochs ?? parameters.NumberOfEpochs;
        var options = Options(parameters with { NumberOfEpochs = trained }, out var unitOrder);
        options.Cancellation = stop;
        string name = id == 0 ? "Base options" : $"Trial {id}";
        if (_study is null)
            return Run(id, parameters, trained, final, stretch, options, unitOrder, name);
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(_study.Lease.TotalMilliseconds / 10, 100, 5_000));
        while (true)
        {
            if (_study.Find(id, trained) is { } stored)
            {
                Log(() => channel.Info($"{name} ({trained} epochs; {parameters}): taken from the study."));
                return Rebuild(id, parameters, trained, final, stored, unitOrder);
            }
            if (_study.ReadOnly)
            {
                Interlocked.Increment(ref _notInStudy);
                return null;
            }
            if (_study.TryClaim(id, trained, Worker))
            {
                using var lease = new StudyLease(_study, id, trained, Worker, message => Log(() => channel.Warning(message)));
                return Run(id, parameters, trained, final, stretch, options, unitOrder, name);
            }
            if (!wait)
            {
                held = true;
                return null;
            }
            if (IsStopped() || stop.WaitHandle.WaitOne(poll))
                return null;
        }
    }

    // Fits and measures, records the outcome in the study (when there is one) and returns the trial. A stretch continues
    // the configuration's previous round from its checkpoint and keeps this round's for the next.
    private DvnSweepTrial? Run(int id, DvnSweepParameters parameters, int trained, bool final, Stretch? stretch, DvnEstimator.Options options,
        IReadOnlyList<string>? unitOrder, string name)
    {
        var clock = Stopwatch.StartNew();
        StoredMeasurement outcome;
        try
        {
            var resume = stretch?.From is int from ? CheckpointsOf(id, from) : null;
            var measured = runner.Run(options, stretch?.ScheduleEpochs, resume);
            int epochsTrained = Enumerable.Range(0, runner.Folds).Sum(f => trained - (resume?[f]?.Epoch ?? 0));
            if (stretch is { Keep: true } && measured.Checkpoints.Any(c => c is not null))
            {
                _checkpoints[(id, trained)] = measured.Checkpoints;
                _study?.SaveCheckpoints(id, trained, measured.Checkpoints);
            }
            if (stretch?.From is int previous)
                _checkpoints.TryRemove((id, previous), out _);
            outcome = new StoredMeasurement(false, null, measured.FitSeconds, measured.EvaluationSeconds, measured.Levels, epochsTrained);
            Log(() => channel.Info($"{name} ({trained} epochs; {parameters}): mean accuracy {measured.Levels.Average(l => l.MicroAccuracy):P2}, " +
                                   $"fit {measured.FitSeconds:F1} s."));
        }
        catch (Exception e) when (stopRequested() && (e is OperationCanceledException || e.InnerException is OperationCanceledException))
        {
            _stopped = true;
            Log(() => channel.Info($"{name} stopped: the sweep was cancelled or ran out of time."));
            return null;
        }
        catch (Exception e)
        {
            var cause = e is TrialRunner.Failure failure ? failure.InnerException! : e;
            double fitSeconds = e is TrialRunner.Failure f ? f.FitSeconds : clock.Elapsed.TotalSeconds;
            Log(() => channel.Warning($"{name} failed ({parameters}): {cause.GetType().Name}: {cause.Message}"));
            outcome = new StoredMeasurement(true, $"{cause.GetType().Name}: {cause.Message}", fitSeconds, 0, Array.Empty<DvnSweepLevel>());
        }
        _study?.Record(id, trained, outcome, Worker);
        return Rebuild(id, parameters, trained, final, outcome, unitOrder);
    }

    /// <summary>A halving round's place in the training of its configuration: the schedule's epochs, the round it continues, whether to keep its state.</summary>
    private sealed record Stretch(int ScheduleEpochs, int? From, bool Keep);

    // A configuration's states after a round: this process's, else the study's; null when neither has them.
    private IReadOnlyList<TrainingCheckpoint?>? CheckpointsOf(int id, int epochs) =>
        _checkpoints.TryGetValue((id, epochs), out var kept) ? kept : _study?.Checkpoints(id, epochs, runner.Folds);

    private void DropCheckpoints(int id, int epochs)
    {
        _checkpoints.TryRemove((id, epochs), out _);
        if (_study is { ReadOnly: false })
            _study.DropCheckpoints(id, epochs);
    }

    // A trial from a measurement, fresh or kept in the study: completed or a halving round when it did not fail.
    private DvnSweepTrial Rebuild(int id, DvnSweepParameters parameters, int trained, bool final, StoredMeasurement m, IReadOnlyList<string>? unitOrder)
    {
        var status = m.Failed ? DvnSweepTrialStatus.Failed : final ? DvnSweepTrialStatus.Completed : DvnSweepTrialStatus.Pruned;
        var trial = new DvnSweepTrial(id, status, parameters, trained, m.FitSeconds, m.EvaluationSeconds, m.Levels, m.Message, seed)
            { TaskUnitOrder = unitOrder, TrainedEpochs = m.TrainedEpochs };
        return final && !m.Failed ? Scored(trial) : trial;
    }

    // Parallel trials write to one channel, one at a time.
    private void Log(Action write)
    {
        lock (_finishing)
            write();
    }

    // A final result that the objective cannot score carries the reason (it ranks last in Best).
    private DvnSweepTrial Scored(DvnSweepTrial trial) => WithError(trial, TrialRanking.Rank(new[] { trial }, objective)[0].Error);
}
