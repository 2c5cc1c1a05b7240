namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The limits the model reader enforces before it allocates or loops for anything a file declares (README, "Security
/// and limits"). Every count, length and size in a file is also bounded by the bytes the file actually has: every
/// weight the declared network stores must be present (4 bytes each), every list entry and key value too. These
/// constants bound what bytes cannot: work and memory per stored number that are not proportional to it.
/// </summary>
internal static class ModelLimits
{
    /// <summary>The largest payload: the largest array .NET allocates (about 2 GiB, some 500 million weights).</summary>
    public static readonly int MaxPayloadBytes = Array.MaxLength;

    /// <summary>
    /// The most weight and statistics tensors the network may have: every (task, level) owns a normalization of four
    /// tensors per hidden layer and a head of two, and each tensor costs a native allocation and a managed object
    /// whatever its size.
    /// </summary>
    public const int MaxTensors = 1 << 18;

    /// <summary>The most label or task keys (the Score vector of every row has one value a label key).</summary>
    public const int MaxKeys = 1 << 24;

    /// <summary>The largest prediction batch, in rows.</summary>
    public const int MaxPredictionBatchSize = 1 << 16;

    /// <summary>
    /// The most values a prediction batch buffers: batch size x (feature vector length + the most classes of a task),
    /// 4 bytes each (1 GiB for a cursor).
    /// </summary>
    public const long MaxPredictionBatchValues = 1L << 28;

    /// <summary>
    /// The largest prediction batch, in rows, for a network of <paramref name="inputSize"/> features whose widest task
    /// has <paramref name="maxClasses"/> classes: what the reader loads and what Fit accepts. One row is always allowed:
    /// its feature vector exists in the input anyway.
    /// </summary>
    public static int LargestPredictionBatch(int inputSize, int maxClasses) =>
        (int)Math.Max(1, Math.Min(MaxPredictionBatchSize, MaxPredictionBatchValues / ValuesPerRow(inputSize, maxClasses)));

    /// <summary>What a prediction batch size must be, for messages.</summary>
    public static string PredictionBatchExpected(int inputSize, int maxClasses) =>
        $"1 to {LargestPredictionBatch(inputSize, maxClasses)} rows (a batch buffers {ValuesPerRow(inputSize, maxClasses)} values a row: " +
        $"the features and the widest task's classes; at most {MaxPredictionBatchValues} values and {MaxPredictionBatchSize} rows in all)";

    private static long ValuesPerRow(int inputSize, int maxClasses) => (long)inputSize + maxClasses;
}
