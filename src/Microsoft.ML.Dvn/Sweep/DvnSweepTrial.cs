namespace Microsoft.ML.Dvn;

/// <summary>One configuration a sweep tried, and how it did.</summary>
/// <param name="Id">1-based, in the order the sweep chose the configurations (0 for the default options' evaluation).</param>
/// <param name="Status">Completed, failed, pruned or stopped.</param>
/// <param name="Parameters">The searched options; <see cref="DvnSweepParameters.NumberOfEpochs"/> is the most the trial trained.</param>
/// <param name="Epochs">The epochs of its last evaluation.</param>
/// <param name="FitSeconds">Wall time of every fit of the trial (all folds and rounds; up to the failure for a failed one).</param>
/// <param name="EvaluationSeconds">Wall time of every evaluation of the trial.</param>
/// <param name="Levels">Every (task, level) of its last evaluation; empty when it failed before one.</param>
/// <param name="Message">Why it failed, or what else went wrong around it (an objective or callback that threw), or null.</param>
/// <param name="Seed">The training seed of its fits (the sweep's).</param>
public sealed record DvnSweepTrial(
    int Id, DvnSweepTrialStatus Status, DvnSweepParameters Parameters, int Epochs, double FitSeconds, double EvaluationSeconds,
    IReadOnlyList<DvnSweepLevel> Levels, string? Message, int Seed)
{
    /// <summary>
    /// The task names in the order they took the units in every fit of the trial (the order of the whole data's task
    /// keys; <see cref="DvnEstimator.Options.TaskUnitOrder"/>), or null where the trial's options left the order to
    /// the trainer (one task, an order measured by affinity, or the base options' own).
    /// </summary>
    public IReadOnlyList<string>? TaskUnitOrder { get; init; }

    /// <summary>
    /// Epochs the trial's fits trained, summed over its folds and halving rounds: a round that continues the previous
    /// round's training (from its checkpoint) counts only its new epochs. The sweep's cost in epoch-units.
    /// </summary>
    public int TrainedEpochs { get; init; }

    /// <summary>
    /// The trial's options on top of <paramref name="baseOptions"/> (normally the search space's): its parameters with
    /// their full number of epochs, its seed and its task order. A plain fit with them gives the model
    /// <see cref="DvnSweep.Refit"/> gives.
    /// </summary>
    public DvnEstimator.Options ToOptions(DvnEstimator.Options baseOptions)
    {
        var options = Parameters.ToOptions(baseOptions, Seed);
        if (TaskUnitOrder is not null)
            options.TaskUnitOrder = TaskUnitOrder.ToArray();
        return options;
    }
}
