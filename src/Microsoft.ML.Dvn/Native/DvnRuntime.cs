using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Dvn;

/// <summary>
/// The one place where the library changes process-wide state: <see cref="Initialize"/> applies its settings once per
/// process. <see cref="DvnEstimator.Fit"/> and loading a DVN model call it before they touch libtorch. An application
/// that also uses TorchSharp calls it itself at start-up, before its own first TorchSharp call, so that the settings
/// hold for all its libtorch work from the start (MKL's reproducible mode can only be set before MKL first computes).
/// </summary>
/// <remarks>
/// <para>The first call loads TorchSharp's native runtime and changes, for the whole process:</para>
/// <list type="bullet">
/// <item>glibc's allocator: mmap threshold 32 MiB and no heap trimming (<c>mallopt</c>), so that libtorch's large
/// temporary buffers are reused instead of mapped and faulted in again on every batch; memory freed stays with the
/// process (its resident size stays at its peak). <c>DVN_MALLOC_TUNING=0</c> keeps glibc's defaults.</item>
/// <item>libtorch's oneDNN (mkldnn) CPU kernels on for every TorchSharp model of the process (DVN's convolutions
/// then run at channel counts padded to multiples of 16, where oneDNN stayed finite); <c>DVN_ONEDNN=on|off|auto</c>
/// overrides it (auto is on).</item>
/// <item>NNPACK off where it cannot initialize on this CPU (libtorch would otherwise log a warning on every
/// convolution it considers for NNPACK); unchanged where it can.</item>
/// <item>MKL's conditional numerical reproducibility mode AUTO: equal inputs give equal bits.</item>
/// </list>
/// <para>The environment variables are read at the first call. Where the platform lacks a setting (no glibc; a
/// libtorch that exports no switch, as on Windows) it is skipped, and the returned <see cref="DvnProcessSettings"/>
/// says so; nothing throws. Fit and model loading write the same description as one line to the MLContext's log.</para>
/// </remarks>
/// <example>
/// <code>
/// Console.WriteLine(DvnRuntime.Initialize());   // at start-up, before the application's own TorchSharp use
/// DvnRuntime.NumberOfThreads = 1;               // e.g. one libtorch thread per concurrent request
/// </code>
/// </example>
public static class DvnRuntime
{
    // Applied once; a failure (a bad DVN_ONEDNN value, TorchSharp not loading) is not kept, so the next call after
    // the cause is fixed applies them.
    private static readonly OnceOnSuccess<DvnProcessSettings> Applied = new(() => TorchNative.ApplySettings(NativePlatform.Torch));

    /// <summary>Applies the process-wide settings at the first call; returns what they are. Cheap after that.</summary>
    /// <exception cref="InvalidOperationException">TorchSharp's native runtime does not load (the message says what
    /// to fix), or <c>DVN_ONEDNN</c> has a value other than on, off or auto; nothing is changed then, and a later call
    /// tries again.</exception>
    public static DvnProcessSettings Initialize() => Applied.Value;

    /// <summary>
    /// libtorch's intra-op threads (torch.set_num_threads) for DVN training and prediction in this process; null
    /// (default) leaves libtorch's default, one per core, or whatever the application set. Process-wide: it also
    /// applies to the application's own TorchSharp work. <see cref="DvnEstimator.Options.NumberOfThreads"/> sets it
    /// at Fit; a process that only loads a model sets it here (it is not saved with the model: the right count
    /// belongs to the machine that predicts). Every DVN training and prediction batch applies it on the thread it runs
    /// on. Setting it to null stops that, and leaves every thread's count as it is. At most 4 a processor: libtorch's
    /// OpenMP runtime ends the process when it cannot create a thread.
    /// </summary>
    public static int? NumberOfThreads
    {
        get => IntraOpThreads.Requested;
        set
        {
            if (value < 1 || value > IntraOpThreads.Max)
                throw new ArgumentOutOfRangeException(nameof(value), $"DvnRuntime.NumberOfThreads is {value}; expected {IntraOpThreads.Expected}.");
            Initialize();
            IntraOpThreads.Request(value);
        }
    }

    /// <summary>
    /// The most native memory, in bytes, that one DVN prediction call (a batch of <c>Transform</c>, one row of a
    /// PredictionEngine, a batch of <c>EvaluateLevels</c>) may hold for the activations of the rows it runs at once;
    /// default 512 MiB. Process-wide, like <see cref="NumberOfThreads"/>, and not saved with the model: a model file
    /// chooses its batch size and layer widths, the application chooses the memory. A batch whose activations need
    /// more runs in pieces of as many rows as fit (same results); loading a model of which one row alone needs more
    /// fails with an <see cref="InvalidDataException"/>, and so does predicting with it (an
    /// <see cref="InvalidOperationException"/>) if the limit was lowered after loading; both name this property.
    /// </summary>
    /// <example><c>DvnRuntime.MaxPredictionMemoryBytes = 2L &lt;&lt; 30;   // 2 GiB, for a trusted model with very wide layers</c></example>
    public static long MaxPredictionMemoryBytes
    {
        get => PredictionMemory.Limit;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), $"DvnRuntime.MaxPredictionMemoryBytes is {value}; expected at least 1 byte.");
            PredictionMemory.Limit = value;
        }
    }

    /// <summary>
    /// The largest DVN model this process loads, in bytes of its model stream (4 bytes a weight, plus a few kilobytes);
    /// default 512 MiB (some 134 million weights). Process-wide, like <see cref="NumberOfThreads"/>. Loading checks the
    /// size the model zip declares for the DVN stream before ML.NET extracts it, and the payload length the stream
    /// declares before reading, allocating or hashing it, so a small zip that expands to gigabytes fails at once with
    /// an <see cref="InvalidDataException"/> naming this property. Fit refuses a network whose weights would not fit.
    /// </summary>
    /// <example><c>DvnRuntime.MaxModelBytes = 1L &lt;&lt; 30;   // 1 GiB, for a trusted larger model</c></example>
    public static long MaxModelBytes
    {
        get => ModelSizeLimit.Limit;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), $"DvnRuntime.MaxModelBytes is {value}; expected at least 1 byte.");
            ModelSizeLimit.Limit = value;
        }
    }

    /// <summary>
    /// Gives the memory that native code of this process has freed back to the system (glibc's <c>malloc_trim</c>).
    /// With the allocator tuning (<see cref="Initialize"/>), freed memory stays with the process for reuse, so the
    /// resident size stays at its peak; call this after a peak that will not come back, such as dropping a model that
    /// another replaced (after the garbage collector has finalized its tensors) or the end of a training run. Returns
    /// true when memory was given back; false when there was none to give, or where there is no glibc (nothing to do
    /// then: the platform's allocator returns memory by its own rules). Takes milliseconds; not for every request.
    /// </summary>
    public static bool ReleaseFreedNativeMemory() => OperatingSystem.IsLinux() && GlibcAllocator.GiveBackFreePages();

    /// <summary>
    /// <see cref="Initialize"/>, then the thread count if one is given (else the current request on this thread),
    /// and one line to <paramref name="log"/> saying what the process runs with.
    /// </summary>
    internal static void InitializeAndLog(IChannelProvider log, int? numberOfThreads)
    {
        var settings = Initialize();
        if (numberOfThreads is not null)
            NumberOfThreads = numberOfThreads;
        else
            IntraOpThreads.ApplyToCurrentThread();
        using var channel = log.Start("DVN process settings");
        channel.Info($"DVN process settings: {settings}; libtorch intra-op threads: {torch.get_num_threads()} " +
                     $"({(NumberOfThreads is null ? "libtorch's default" : "DvnRuntime.NumberOfThreads")}).");
    }
}
