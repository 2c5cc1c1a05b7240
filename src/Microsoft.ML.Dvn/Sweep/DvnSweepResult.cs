using Microsoft.ML.Dvn.Sweep;

namespace Microsoft.ML.Dvn;

/// <summary>What a sweep found: every trial, the frontier of every task, and the best trial by any objective.</summary>
public sealed class DvnSweepResult
{
    internal DvnSweepResult(DvnSweepSettings settings, int seed, DvnSweepTrial? baseOptions, IReadOnlyList<DvnSweepTrial> trials,
        IReadOnlyList<DvnSweepSkipped> skipped, TimeSpan elapsed, string? stopReason, IReadOnlyDictionary<string, DvnSizeRange> sizeRanges)
    {
        Strategy = settings.Strategy;
        Objective = settings.Objective;
        Seed = seed;
        BaseOptionsTrial = baseOptions;
        Trials = trials.OrderBy(t => t.Id).ToArray();
        Skipped = skipped;
        Elapsed = elapsed;
        StopReason = stopReason;
        SizeRanges = sizeRanges;
        TrainedEpochs = Trials.Append(baseOptions).Sum(t => t?.TrainedEpochs ?? 0);
        Frontier = DvnTaskFrontier.Of(Trials.Where(t => t.Status == DvnSweepTrialStatus.Completed).Select(t => (t.Id, t.Levels)));
    }

    /// <summary>The strategy that chose the trials.</summary>
    public DvnSweepStrategy Strategy { get; }

    /// <summary>The objective that ranked them (halving's promotions, and <see cref="Best"/> without an argument).</summary>
    public DvnSweepObjective Objective { get; }

    /// <summary>The seed of the draws, the splits and every trial's training.</summary>
    public int Seed { get; }

    /// <summary>The base options evaluated like a trial with the largest number of epochs (id 0), or null when not asked for or not reached.</summary>
    public DvnSweepTrial? BaseOptionsTrial { get; }

    /// <summary>Every trial that finished, by id (failed, pruned and stopped ones included).</summary>
    public IReadOnlyList<DvnSweepTrial> Trials { get; }

    /// <summary>
    /// Epochs trained by every trial and the base options, summed over folds and rounds (<see cref="DvnSweepTrial.TrainedEpochs"/>),
    /// whoever trained them (this process, another worker, or an earlier run of the study).
    /// </summary>
    public int TrainedEpochs { get; }

    /// <summary>Grid combinations that cannot train, with the trainer's reason.</summary>
    public IReadOnlyList<DvnSweepSkipped> Skipped { get; }

    /// <summary>Every task's frontier over the completed trials' levels, by task key of the whole data.</summary>
    public IReadOnlyList<DvnTaskFrontier> Frontier { get; }

    /// <summary>By task name: the sizes the search space can reach, the reference of <see cref="DvnSweepObjective.Frontier"/>.</summary>
    public IReadOnlyDictionary<string, DvnSizeRange> SizeRanges { get; }

    /// <summary>Wall time of the whole sweep, data caching and splits included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Why the sweep stopped before running every trial it planned (time budget, cancellation), or null.</summary>
    public string? StopReason { get; }

    /// <summary>
    /// The completed trial that <paramref name="objective"/> (default: the sweep's objective) ranks highest among all
    /// completed trials; ties go to the earlier trial. Null when no completed trial has a score.
    /// </summary>
    public DvnSweepTrial? Best(DvnSweepObjective? objective = null)
    {
        var bound = (objective ?? Objective).For(SizeRanges);
        return TrialRanking.Best(Trials.Where(t => t.Status == DvnSweepTrialStatus.Completed).ToArray(), bound);
    }
}
