namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// A training that is one stretch of a longer one (a sweep's halving rounds): its learning-rate schedule spans
/// <see cref="ScheduleEpochs"/>, it starts from <see cref="Resume"/> when given, and it leaves its state in
/// <see cref="Saved"/> after its last epoch (before the final calibration), for the next stretch. A training of E epochs
/// continued from one of e epochs is then the same as one training of E epochs, bit for bit.
/// </summary>
internal sealed class TrainingContinuation(int scheduleEpochs, TrainingCheckpoint? resume)
{
    /// <summary>The epochs the learning-rate schedule spans (the longest stretch's end).</summary>
    public int ScheduleEpochs { get; } = scheduleEpochs;

    /// <summary>Where this stretch starts; null: from a new network.</summary>
    public TrainingCheckpoint? Resume { get; } = resume;

    /// <summary>The state after this stretch's last epoch; set by the trainer.</summary>
    public TrainingCheckpoint? Saved { get; set; }
}
