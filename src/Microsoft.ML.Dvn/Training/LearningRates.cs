namespace Microsoft.ML.Dvn.Training;

/// <summary>The learning rate of every optimizer step under a <see cref="DvnLearningRateSchedule"/>.</summary>
internal static class LearningRates
{
    /// <param name="schedule">The schedule.</param>
    /// <param name="initial">The learning rate of the first step.</param>
    /// <param name="step">The step, 0-based.</param>
    /// <param name="steps">All steps of the training.</param>
    public static double At(DvnLearningRateSchedule schedule, double initial, long step, long steps) => schedule switch
    {
        DvnLearningRateSchedule.Constant => initial,
        // Half a cosine over all steps: the first step at the full rate, the last a little above 0.
        DvnLearningRateSchedule.Cosine => initial * 0.5 * (1 + Math.Cos(Math.PI * step / steps)),
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Expected Constant or Cosine."),
    };
}
