namespace Microsoft.ML.Dvn.Samples.Baselines;

/// <summary>
/// The training methods of a benchmark run (DvnEstimator.Options; the library's defaults unless the command line sets
/// them). Every network of the run trains with them, so that only the sharing differs; the level weights go to the
/// DVN only (the other networks have one level), and the options that order tasks or levels change nothing for a
/// network of one task and one level.
/// </summary>
internal sealed record TrainingRecipe(double DistillationWeight, DvnTaskOrder TaskOrder, DvnLearningRateSchedule LearningRateSchedule,
    DvnBatchOrder BatchOrder, double[]? LevelWeights)
{
    public static TrainingRecipe Defaults { get; } = From(new DvnEstimator.Options());

    private static TrainingRecipe From(DvnEstimator.Options o) =>
        new(o.DistillationWeight, o.TaskOrder, o.LearningRateSchedule, o.BatchOrder, o.LevelWeights);

    /// <summary>Sets these methods on <paramref name="options"/>; the level weights only when <paramref name="isDvn"/>.</summary>
    public DvnEstimator.Options Apply(DvnEstimator.Options options, bool isDvn)
    {
        options.DistillationWeight = DistillationWeight;
        options.TaskOrder = TaskOrder;
        options.LearningRateSchedule = LearningRateSchedule;
        options.BatchOrder = BatchOrder;
        options.LevelWeights = isDvn ? LevelWeights : null;
        return options;
    }

    /// <summary>What differs from the paper's training, for titles ("distillation 0.5, task order Affinity").</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (DistillationWeight > 0)
            parts.Add($"distillation {DistillationWeight:0.##}");
        if (TaskOrder != DvnTaskOrder.TaskKeys)
            parts.Add($"task order {TaskOrder}");
        if (LearningRateSchedule != DvnLearningRateSchedule.Constant)
            parts.Add($"learning rate {LearningRateSchedule}");
        if (BatchOrder != DvnBatchOrder.RoundRobin)
            parts.Add($"batches {BatchOrder}");
        if (LevelWeights is not null)
            parts.Add($"level weights {string.Join("/", LevelWeights)}");
        return parts.Count == 0 ? "the paper's training" : string.Join(", ", parts);
    }
}
