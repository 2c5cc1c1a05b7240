namespace Microsoft.ML.Dvn.Training;

/// <summary>How <see cref="TrainingLoop"/> trains: the training options under their own names (<see cref="TrainingRules"/>).</summary>
/// <param name="NumberOfEpochs">Passes over every task's rows.</param>
/// <param name="BatchSize">Rows of one task in a mini-batch.</param>
/// <param name="LearningRate">Adam's learning rate (of the first step, under a schedule).</param>
/// <param name="WeightDecay">Adam's L2 penalty.</param>
/// <param name="Seed">Fixes the order of the rows.</param>
/// <param name="Levels">Which levels each batch trains; null for all (the method). A subset serves tests and experiments.</param>
/// <param name="LevelWeights">Weight w_j of each level's loss; null for 1 each (the paper's default).</param>
/// <param name="DistillationWeight">In-place distillation weight in [0, 1] (<see cref="BatchObjective"/>); 0 for none (the paper).</param>
/// <param name="LearningRateSchedule">How the learning rate changes from step to step.</param>
/// <param name="BatchOrder">How the tasks' batches follow each other within an epoch.</param>
/// <param name="Continuation">A stretch of a longer training (a sweep's halving rounds); null for a whole training.</param>
internal sealed record DvnTrainingSettings(
    int NumberOfEpochs,
    int BatchSize,
    double LearningRate,
    double WeightDecay,
    long Seed,
    IReadOnlyList<int>? Levels = null,
    IReadOnlyList<double>? LevelWeights = null,
    double DistillationWeight = 0,
    DvnLearningRateSchedule LearningRateSchedule = DvnLearningRateSchedule.Constant,
    DvnBatchOrder BatchOrder = DvnBatchOrder.RoundRobin,
    TrainingContinuation? Continuation = null);
