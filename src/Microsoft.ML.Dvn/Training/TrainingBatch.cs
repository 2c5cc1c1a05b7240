using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// One mini-batch of one task: its rows on the training device, held outside any dispose scope. Whoever receives it
/// disposes it, so that a pass over a large source never holds more than the batch in use.
/// </summary>
internal sealed class TrainingBatch : IDisposable
{
    /// <param name="task">The task, 1-based.</param>
    /// <param name="number">The batch's number within its task's pass, 1-based.</param>
    /// <param name="features">[rows, inputSize], float32; taken out of its dispose scope.</param>
    /// <param name="labels">[rows], int64, the task's class index; taken out of its dispose scope.</param>
    public TrainingBatch(int task, int number, Tensor features, Tensor labels)
    {
        Task = task;
        Number = number;
        Rows = new TaskData(features.DetachFromDisposeScope(), labels.DetachFromDisposeScope());
    }

    public int Task { get; }

    public int Number { get; }

    public TaskData Rows { get; }

    public void Dispose() => Rows.Dispose();
}
