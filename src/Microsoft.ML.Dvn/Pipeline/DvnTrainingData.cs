namespace Microsoft.ML.Dvn;

/// <summary>How <see cref="DvnEstimator.Fit"/> reads the training rows.</summary>
public enum DvnTrainingData
{
    /// <summary>
    /// Read once into memory as tensors (4 bytes a feature value plus 8 bytes a row), shuffled completely every epoch.
    /// Fastest; for data that fits in memory.
    /// </summary>
    Cached,

    /// <summary>
    /// Streamed from the IDataView: a counting pass reads only the task and label columns, then every epoch reads the
    /// rows again through cursors (one per task) and shuffles them in a bounded buffer
    /// (<see cref="DvnEstimator.Options.ShuffleBufferRows"/>), so that the rows are not held in memory. For data larger
    /// than memory, such as an IDataView loaded from a binary or text file: its peak memory does not grow with the rows
    /// (measurements in the repository's docs/benchmarks.md, "Training on data larger than memory"). Every epoch decodes
    /// the data once per task.
    /// The IDataView must give the same rows every time it is read (in any order): every epoch's rows are checked against
    /// the first epoch's by their count, their label keys and a 64-bit checksum of every task's rows (features, label,
    /// task), and data that changed fails with <see cref="InvalidOperationException"/> naming the task and the epoch.
    /// </summary>
    Streamed,
}
