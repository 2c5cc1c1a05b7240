namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// The largest DVN model stream a process loads (<see cref="DvnRuntime.MaxModelBytes"/>): checked against the size
/// the zip declares before ML.NET extracts the entry, and against the payload length the stream declares before the
/// payload is read, allocated or hashed. A few megabytes of deflate can declare gigabytes; the file's own bytes bound
/// everything else (Persistence/ModelLimits).
/// </summary>
internal static class ModelSizeLimit
{
    /// <summary>The default: 512 MiB, some 134 million weights.</summary>
    public const long Default = 512L << 20;

    private static long _limit = Default;

    public static long Limit
    {
        get => Volatile.Read(ref _limit);
        set => Volatile.Write(ref _limit, value);
    }

    /// <summary>Throws when <paramref name="bytes"/> exceed the limit; <paramref name="what"/> names them.</summary>
    public static void Require(long bytes, string what)
    {
        long limit = Limit;
        if (bytes > limit)
            throw new InvalidDataException(
                $"The DVN model cannot be loaded: {what} is {bytes} bytes, above the model size limit DvnRuntime.MaxModelBytes " +
                $"({limit} bytes). If the model is trusted, raise the limit before loading it (DvnRuntime.MaxModelBytes = {bytes}).");
    }
}
