namespace Microsoft.ML.Dvn;

/// <summary>How a trial of a sweep ended.</summary>
public enum DvnSweepTrialStatus
{
    /// <summary>Trained for its full number of epochs and evaluated.</summary>
    Completed,

    /// <summary>Threw (invalid options, a non-finite loss, ...); <see cref="DvnSweepTrial.Message"/> says what.</summary>
    Failed,

    /// <summary>Stopped by successive halving after a round with fewer epochs; its metrics are that round's.</summary>
    Pruned,

    /// <summary>
    /// Still in the running when the sweep stopped (time budget, cancellation) before its last round: its metrics are
    /// those of its last finished round, with fewer epochs than it would have had.
    /// </summary>
    Stopped,
}
