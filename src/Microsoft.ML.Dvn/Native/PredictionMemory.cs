namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// The most native memory one prediction call may ask libtorch for, for the activations of the rows it runs at once
/// (<see cref="DvnRuntime.MaxPredictionMemoryBytes"/>). A model file chooses its prediction batch size and its layers'
/// widths, so without this bound a small file could make the first batch ask for gigabytes; with it, a batch runs in
/// pieces of as many rows as fit (<see cref="Network.LevelPredictor"/>).
/// </summary>
internal static class PredictionMemory
{
    /// <summary>The default: 512 MiB. The benchmark CNN's largest level needs about 1 MiB a row, so its batches of 256 run whole.</summary>
    public const long DefaultLimit = 512L << 20;

    private static long _limit = DefaultLimit;

    public static long Limit
    {
        get => Volatile.Read(ref _limit);
        set => Volatile.Write(ref _limit, value);
    }

    /// <summary>The message for a (task, level) of which one row alone needs more than the limit.</summary>
    public static string TooLarge(int task, int level, long bytesPerRow, long limit) =>
        $"Task {task}, level {level} of this model needs {bytesPerRow} bytes of activations to predict a single row, more than " +
        $"the prediction memory limit DvnRuntime.MaxPredictionMemoryBytes ({limit} bytes). If the model is trusted and the " +
        $"memory is there, raise the limit before loading and predicting (DvnRuntime.MaxPredictionMemoryBytes = {bytesPerRow})";
}
