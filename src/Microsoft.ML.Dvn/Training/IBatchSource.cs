using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Where the trainer's mini-batches come from: every task's rows, cached on the device (<see cref="CachedBatches"/>)
/// or streamed from a source larger than memory (<see cref="StreamedBatches"/>).
/// </summary>
internal interface IBatchSource
{
    /// <summary>The rows of every task, task t at index t-1.</summary>
    IReadOnlyList<long> RowCounts { get; }

    /// <summary>Feature values a row.</summary>
    int InputSize { get; }

    /// <summary>
    /// One pass over every row of <paramref name="tasks"/> (1-based), each exactly once: each task's rows shuffled and
    /// cut into batches of <paramref name="batchSize"/> (a last batch of one row merged into the one before it), the
    /// tasks' batches in <paramref name="order"/>. Every batch belongs to the caller, who disposes it.
    /// </summary>
    /// <param name="tasks">The tasks whose rows the pass reads.</param>
    /// <param name="batchSize">Rows a batch.</param>
    /// <param name="order">How the tasks' batches follow each other.</param>
    /// <param name="generator">Shuffles the rows: the same seed gives the same batches.</param>
    IEnumerable<TrainingBatch> Pass(IReadOnlyList<int> tasks, int batchSize, DvnBatchOrder order, Generator generator);
}
