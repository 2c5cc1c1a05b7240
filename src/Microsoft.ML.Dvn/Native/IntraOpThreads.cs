using TorchSharp;

namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// libtorch's intra-op thread count as the application asked for it (<see cref="DvnRuntime.NumberOfThreads"/>).
/// torch.set_num_threads is process-wide only in part: it sets the calling thread's OpenMP team size at once, and
/// every thread that starts libtorch work afterwards; a thread that already ran parallel libtorch work keeps its own
/// count (measured with TorchSharp 0.107). So the count is also applied, where it differs, on the thread that runs
/// each training and each prediction batch: a thread-pool thread that served an earlier request gets it too.
/// </summary>
internal static class IntraOpThreads
{
    private static int _requested; // 0: none, libtorch's own default

    /// <summary>
    /// The most threads accepted: 4 a processor this process may use (<see cref="Environment.ProcessorCount"/>).
    /// libtorch's OpenMP runtime (libgomp) ends the whole process when it cannot create a thread it was asked for, and
    /// its threads wait actively, so more threads than processors only slow every operation down.
    /// </summary>
    public static int Max => 4 * Environment.ProcessorCount;

    /// <summary>What a thread count must be, for messages.</summary>
    public static string Expected =>
        $"null (libtorch's default) or 1 to {Max} (4 a processor; this process may use {Environment.ProcessorCount})";

    public static int? Requested => Volatile.Read(ref _requested) is int n and > 0 ? n : null;

    public static void Request(int? threads)
    {
        Volatile.Write(ref _requested, threads ?? 0);
        ApplyToCurrentThread();
    }

    /// <summary>Sets the requested count on the calling thread where it differs; cheap otherwise (one native call).</summary>
    public static void ApplyToCurrentThread()
    {
        if (Requested is int threads && torch.get_num_threads() != threads)
            torch.set_num_threads(threads);
    }
}
