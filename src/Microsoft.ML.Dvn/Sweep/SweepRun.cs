using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>The state of one run: the trials so far and the budgets.</summary>
internal sealed class SweepRun(DvnSweep sweep, TrialRunner runner, IChannel channel, int seed, int tasks, CancellationToken stop,
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
