namespace Microsoft.ML.Dvn;

/// <summary>How a sweep chooses its trials.</summary>
public enum DvnSweepStrategy
{
    /// <summary>Every combination of the dimensions' grids, in order, until a budget runs out; invalid ones are skipped with a reason.</summary>
    Grid,

    /// <summary>Independent random draws from the space.</summary>
    Random,

    /// <summary>
    /// Successive halving over epochs: MaximumTrials random configurations train a few epochs, the best third (by the
    /// objective) go on with three times the epochs, and so on up to the space's largest number of epochs; the others
    /// are pruned. A promoted configuration continues its training from the previous round's checkpoint (every round
    /// is a stretch of one training of the largest number of epochs, its learning-rate schedule included), so its last
    /// round is a plain fit of its epochs. Spends little time on bad configurations.
    /// </summary>
    Halving,

    /// <summary>
    /// Asynchronous successive halving (ASHA; Li et al., MLSys 2020): the rounds of <see cref="Halving"/>, but a
    /// configuration goes on to the next round as soon as it is in the best 1/factor of the results its round has so
    /// far, instead of when the whole round is done; a free worker (or parallel trial) promotes such a configuration,
    /// else starts a new one. No worker waits for a round's slowest trial. With one worker and one trial at a time the
    /// promotions are deterministic; with several they depend on which results arrive first (every result itself does
    /// not). Promoted configurations continue from their checkpoints, as in <see cref="Halving"/>.
    /// </summary>
    AsyncHalving,
}
