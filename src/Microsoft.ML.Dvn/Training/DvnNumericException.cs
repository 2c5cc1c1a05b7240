namespace Microsoft.ML.Dvn;

/// <summary>
/// Training produced a non-finite loss. Training stops instead of returning a model at chance accuracy; the
/// exception says where it happened.
/// </summary>
public sealed class DvnNumericException : InvalidOperationException
{
    /// <summary>Creates the exception for the batch where the loss stopped being finite.</summary>
    public DvnNumericException(int task, int level, int epoch, int batch, double loss)
        : base($"Training stopped: the loss of task {task}, level {level} became {loss} in epoch {epoch}, batch {batch} " +
               "of that task. Lower LearningRate, check the features for extreme values (normalize them), or report it " +
               "with the seed if it repeats.")
    {
        Task = task;
        Level = level;
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The task, 1-based.</summary>
    public int Task { get; }

    /// <summary>The level, 1-based.</summary>
    public int Level { get; }

    /// <summary>The epoch, 1-based.</summary>
    public int Epoch { get; }

    /// <summary>The batch of that task in that epoch, 1-based.</summary>
    public int Batch { get; }
}
