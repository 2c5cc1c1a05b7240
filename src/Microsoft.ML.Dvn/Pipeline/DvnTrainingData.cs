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
    /// (<see cref="DvnEstimator.Options.ShuffleBufferRows"/>), so memory stays flat whatever the number of rows. For data
    /// larger than memory, such as an IDataView loaded from a binary or text file.
    /// </summary>
    Streamed,
}
