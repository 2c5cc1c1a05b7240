namespace Microsoft.ML.Dvn;

/// <summary>How a DVN was trained; saved with the model.</summary>
/// <param name="NumberOfEpochs">Passes over every task's training rows.</param>
/// <param name="BatchSize">Rows of one task in a mini-batch.</param>
/// <param name="LearningRate">Adam's learning rate (of the first step, under a schedule).</param>
/// <param name="WeightDecay">Adam's L2 weight decay.</param>
/// <param name="Seed">The seed actually used (the option's, the MLContext's, or a random one).</param>
/// <param name="RowsPerTask">Training rows of each task, task key t at index t-1.</param>
/// <param name="LevelWeights">The weight w_j of each level's loss, level 1 first.</param>
/// <param name="DistillationWeight">The in-place distillation weight (0: none).</param>
/// <param name="LearningRateSchedule">How the learning rate changed over training.</param>
/// <param name="BatchOrder">How the tasks' batches followed each other.</param>
/// <param name="TaskOrder">How the tasks were placed on the units.</param>
/// <param name="TasksInUnitOrder">
/// The task keys along the units: the first has the first home unit, and neighbours share the most units. Task
/// keys in ascending order unless <see cref="TaskOrder"/> is <see cref="DvnTaskOrder.Affinity"/>.
/// </param>
/// <remarks>Models saved before these options existed load with the behaviour of that time: every level weight 1, no
/// distillation, a constant learning rate, round-robin batches and the tasks in key order.</remarks>
public sealed record DvnTrainingInfo(
    int NumberOfEpochs,
    int BatchSize,
    double LearningRate,
    double WeightDecay,
    long Seed,
    IReadOnlyList<long> RowsPerTask,
    IReadOnlyList<double> LevelWeights,
    double DistillationWeight,
    DvnLearningRateSchedule LearningRateSchedule,
    DvnBatchOrder BatchOrder,
    DvnTaskOrder TaskOrder,
    IReadOnlyList<int> TasksInUnitOrder)
{
    /// <summary>
    /// 0.1.0's constructor, kept so that code compiled against 0.1.0 still runs: the training methods of that time
    /// (a level weight of 1, no distillation, a constant learning rate,
    /// round-robin batches, the tasks in key order).
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public DvnTrainingInfo(int NumberOfEpochs, int BatchSize, double LearningRate, double WeightDecay, long Seed, IReadOnlyList<long> RowsPerTask)
        : this(NumberOfEpochs, BatchSize, LearningRate, WeightDecay, Seed, RowsPerTask, new[] { 1.0 }, 0, DvnLearningRateSchedule.Constant,
            DvnBatchOrder.RoundRobin, DvnTaskOrder.TaskKeys, Enumerable.Range(1, RowsPerTask.Count).ToArray())
    {
    }

    /// <summary>0.1.0's deconstruction, kept for code compiled against 0.1.0.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void Deconstruct(out int NumberOfEpochs, out int BatchSize, out double LearningRate, out double WeightDecay, out long Seed,
        out IReadOnlyList<long> RowsPerTask) =>
        (NumberOfEpochs, BatchSize, LearningRate, WeightDecay, Seed, RowsPerTask) =
        (this.NumberOfEpochs, this.BatchSize, this.LearningRate, this.WeightDecay, this.Seed, this.RowsPerTask);
}
