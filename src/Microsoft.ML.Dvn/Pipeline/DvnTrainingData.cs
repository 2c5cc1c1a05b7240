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
    /// than memory, such as an IDataView loaded from a binary or text file. Experimental in this version: a
    /// 600,000-row fit failed inside Adam's step with a libtorch Scalar error, and flat memory at that size is not
    /// measured yet (docs/benchmarks.md, "Training on data larger than memory").
    /// </summary>
    Streamed,
}
