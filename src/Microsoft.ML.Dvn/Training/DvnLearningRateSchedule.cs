namespace Microsoft.ML.Dvn;

/// <summary>How the learning rate changes over training.</summary>
public enum DvnLearningRateSchedule
{
    /// <summary>The same learning rate for every step (the paper).</summary>
    Constant,

    /// <summary>Cosine decay from the learning rate at the first step towards 0 at the last (one half cosine over all steps).</summary>
    Cosine,

    /// <summary>
    /// The learning rate unchanged for the first half of the steps, then half a cosine from it towards 0 over the second
    /// half: the decay that helps full-length training, without cutting the rate of short runs from their first step.
    /// </summary>
    ConstantThenCosine,
}
