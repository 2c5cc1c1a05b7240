namespace Microsoft.ML.Dvn;

/// <summary>How a <see cref="DvnSweep"/> runs: strategy, budgets, evaluation, objective, seed and progress.</summary>
public sealed class DvnSweepSettings
{
    /// <summary>Grid, random (default) or successive halving.</summary>
    public DvnSweepStrategy Strategy = DvnSweepStrategy.Random;

    /// <summary>At most this many configurations (for halving: the configurations of its first round). Default 20.</summary>
    public int MaximumTrials = 20;

    /// <summary>
    /// Wall time for the whole sweep; null (default) means no limit. When it runs out, the trial under way is stopped
    /// and left out, and the sweep returns what finished.
    /// </summary>
    public TimeSpan? TimeBudget;

    /// <summary>Hold-out (default: 20% of the rows) or cross-validation.</summary>
    public DvnSweepEvaluation Evaluation = DvnSweepEvaluation.HoldOut();

    /// <summary>What ranks trials for halving's promotions and for <see cref="DvnSweepResult.Best"/>. Default: the frontier objective.</summary>
    public DvnSweepObjective Objective = DvnSweepObjective.Frontier;

    /// <summary>Halving's factor: each round keeps 1/factor of the configurations and gives them factor times the epochs. Default 3.</summary>
    public int HalvingFactor = 3;

    /// <summary>Whether to evaluate the base options like a trial, with the largest number of epochs (the "default" of the report). Default true.</summary>
    public bool EvaluateBaseOptions = true;

    /// <summary>
    /// Fixes the trials drawn, the data splits and every trial's training seed; null (default) takes the MLContext's
    /// seed, or 0 without one. The same seed gives the same trials and the same results.
    /// </summary>
    public int? Seed;

    /// <summary>
    /// Called when a trial's outcome is final (completed, failed, pruned or stopped), with what it measured. With
    /// <see cref="ParallelTrials"/> above 1, calls come from several threads, one at a time, in the order trials finish.
    /// </summary>
    public Action<DvnSweepTrial>? TrialCompleted;

    /// <summary>
    /// Where the trials' results are kept (<see cref="DvnStudy.Sqlite"/>), so that running the same sweep again
    /// resumes it; null (default) keeps them in memory only.
    /// </summary>
    public DvnStudy? Study;

    /// <summary>
    /// Trials that run at once in this process (each trial's folds one after another). Default 1. Halving runs a
    /// round's configurations in parallel and ranks the round when all are done. Trials are seeded by the sweep, not by
    /// the order they run in, so with a fixed <see cref="ThreadsPerTrial"/> the results do not depend on this number.
    /// </summary>
    public int ParallelTrials = 1;

    /// <summary>
    /// libtorch threads of every fit of every trial (<see cref="DvnEstimator.Options.NumberOfThreads"/>, where the base
    /// options leave it null). Null (default): 1 when <see cref="ParallelTrials"/> is above 1, so trials do not
    /// oversubscribe the cores, and libtorch's default (one a core) otherwise. Results depend on it (sums run in
    /// another order), so compare sweeps at the same value.
    /// </summary>
    public int? ThreadsPerTrial;

    internal DvnSweepSettings Check()
    {
        if (MaximumTrials < 1)
            throw new ArgumentOutOfRangeException(nameof(MaximumTrials), $"DvnSweepSettings.MaximumTrials is {MaximumTrials}; expected at least 1.");
        if (TimeBudget is TimeSpan budget && budget <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), $"DvnSweepSettings.TimeBudget is {budget}; expected a positive time or null.");
        if (ParallelTrials < 1)
            throw new ArgumentOutOfRangeException(nameof(ParallelTrials), $"DvnSweepSettings.ParallelTrials is {ParallelTrials}; expected at least 1.");
        if (ThreadsPerTrial is < 1)
            throw new ArgumentOutOfRangeException(nameof(ThreadsPerTrial), $"DvnSweepSettings.ThreadsPerTrial is {ThreadsPerTrial}; expected null or at least 1.");
        if (HalvingFactor < 2)
            throw new ArgumentOutOfRangeException(nameof(HalvingFactor), $"DvnSweepSettings.HalvingFactor is {HalvingFactor}; expected at least 2.");
        ArgumentNullException.ThrowIfNull(Evaluation, nameof(Evaluation));
        ArgumentNullException.ThrowIfNull(Objective, nameof(Objective));
        if (!Enum.IsDefined(Strategy))
            throw new ArgumentOutOfRangeException(nameof(Strategy), $"DvnSweepSettings.Strategy is {Strategy}; expected Grid, Random, Halving or AsyncHalving.");
        return this;
    }
}
