namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// The bookkeeping of asynchronous successive halving (ASHA): each configuration's results by round, which jobs
/// (configuration, round) this process has taken and which another worker holds, and the rule that picks the next
/// job: the best not yet promoted configuration of the highest round whose results allow a promotion (the best
/// floor(n / factor) of its n results so far; ceil once the round is complete, as synchronous halving), else the next
/// configuration not started. Not thread-safe: the caller holds a lock.
/// </summary>
internal sealed class AsyncHalving(int configurations, int[] rounds, int factor, DvnSweepObjective objective)
{
    private readonly Dictionary<int, DvnSweepTrial>[] _results = rounds.Select(_ => new Dictionary<int, DvnSweepTrial>()).ToArray();
    private readonly HashSet<(int Id, int Round)> _taken = new();
    private readonly HashSet<(int Id, int Round)> _held = new();
    private int _nextNew = 1;

    /// <summary>Jobs of this process under way.</summary>
    public int Running { get; private set; }

    /// <summary>Jobs another worker held when this process last tried them.</summary>
    public int Held => _held.Count;

    /// <summary>The next job, taken (counted as running), or null when none is free now.</summary>
    public (int Id, int Round)? Take()
    {
        var job = Promotion() ?? Fresh();
        if (job is { } taken)
        {
            _taken.Add(taken);
            Running++;
        }
        return job;
    }

    /// <summary>The jobs another worker held, handed back to be tried again (their results may be in, their leases over).</summary>
    public IReadOnlyList<(int Id, int Round)> TakeHeld()
    {
        var held = _held.ToArray();
        _held.Clear();
        foreach (var job in held)
        {
            _taken.Add(job);
            Running++;
        }
        return held;
    }

    /// <summary>True when the job's result is known.</summary>
    public bool Has(int id, int round) => _results[round].ContainsKey(id);

    /// <summary>A result the study has (an earlier run, or another worker's): counted as this process's.</summary>
    public void Learn(int id, int round, DvnSweepTrial trial) => _results[round][id] = trial;

    /// <summary>A job another worker has claimed and not finished: waited for (and taken over when its lease runs out).</summary>
    public void HeldElsewhere(int id, int round)
    {
        if (!_results[round].ContainsKey(id) && !_taken.Contains((id, round)))
            _held.Add((id, round));
    }

    /// <summary>A job ended: with its trial, or held by another worker, or stopped (neither).</summary>
    public void Done((int Id, int Round) job, DvnSweepTrial? trial, bool held)
    {
        Running--;
        if (held)
        {
            _taken.Remove(job);
            _held.Add(job);
        }
        else if (trial is not null)
            _results[job.Round][job.Id] = trial;
    }

    /// <summary>Every configuration's result of its highest round, with the seconds and epochs of all its rounds.</summary>
    public IEnumerable<(DvnSweepTrial Trial, int Round)> Latest()
    {
        for (int id = 1; id <= configurations; id++)
        {
            var mine = Enumerable.Range(0, rounds.Length).Where(k => _results[k].ContainsKey(id)).Select(k => (Trial: _results[k][id], Round: k)).ToArray();
            if (mine.Length == 0)
                continue;
            var (last, round) = mine[^1];
            yield return (last with
            {
                FitSeconds = mine.Sum(m => m.Trial.FitSeconds), EvaluationSeconds = mine.Sum(m => m.Trial.EvaluationSeconds),
                TrainedEpochs = mine.Sum(m => m.Trial.TrainedEpochs),
            }, round);
        }
    }

    /// <summary>Every (configuration, round) with a result.</summary>
    public IEnumerable<(int Id, int Round)> Finished() =>
        _results.SelectMany((byId, k) => byId.Keys.Select(id => (id, k)));

    private (int Id, int Round)? Promotion()
    {
        for (int k = rounds.Length - 2; k >= 0; k--)
        {
            foreach (var r in Promoted(k))
            {
                var job = (r.Trial.Id, k + 1);
                if (!_results[k + 1].ContainsKey(r.Trial.Id) && !_taken.Contains(job) && !_held.Contains(job))
                    return job;
            }
        }
        return null;
    }

    // The configurations round k promotes now: the best floor(n / factor) of its n results so far; once the round is
    // complete (no result can join it), the best ceil(n / factor), as synchronous halving keeps, so that a finite set
    // of configurations reaches the last round.
    private IEnumerable<TrialRanking.Ranked> Promoted(int k)
    {
        var ranked = TrialRanking.Rank(_results[k].Values.Where(t => t.Status != DvnSweepTrialStatus.Failed).ToArray(), objective);
        int allowed = Complete(k) ? (ranked.Count + factor - 1) / factor : ranked.Count / factor;
        return ranked.Take(allowed);
    }

    // Round 0 is complete when every configuration has its result there; a later round when the round before it is
    // complete and every configuration it promotes has its result.
    private bool Complete(int k) => k == 0
        ? _results[0].Count == configurations
        : Complete(k - 1) && Promoted(k - 1).All(r => _results[k].ContainsKey(r.Trial.Id));

    private (int Id, int Round)? Fresh()
    {
        while (_nextNew <= configurations && _results[0].ContainsKey(_nextNew))
            _nextNew++;
        return _nextNew <= configurations ? (_nextNew++, 0) : null;
    }
}
