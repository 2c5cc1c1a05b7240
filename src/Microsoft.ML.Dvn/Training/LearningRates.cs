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
        DvnLearningRateSchedule.Cosine => HalfCosine(initial, step, steps),
        // Steps before the middle at the full rate; from the middle on, half a cosine over the steps left.
        DvnLearningRateSchedule.ConstantThenCosine => step < steps / 2.0 ? initial : HalfCosine(initial, step - steps / 2.0, steps - steps / 2.0),
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Expected Constant, Cosine or ConstantThenCosine."),
    };

    // Half a cosine over a stretch of steps: the full rate at its start, a little above 0 at its last step.
    private static double HalfCosine(double initial, double step, double steps) => initial * 0.5 * (1 + Math.Cos(Math.PI * step / steps));
}
