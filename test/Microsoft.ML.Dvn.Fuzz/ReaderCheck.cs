using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Dvn.Persistence;

namespace Microsoft.ML.Dvn.Fuzz;

/// <summary>
/// One fuzz input through the model reader, and what must hold for it: the reader returns a model or throws
/// <see cref="InvalidDataException"/>, and a model it returns predicts one row at every (task, level) without an
/// exception (a non-finite score is allowed: weights may be finite and still overflow), all within 2 seconds, 100 MB
/// of managed allocation and 200 MB of peak resident memory growth (prediction memory is limited to
/// <see cref="PredictionMemoryLimit"/> so that a model that loads fits). Anything else throws, which SharpFuzz
/// reports to AFL as a crash.
/// </summary>
/// <remarks>
/// Input layout: the first byte chooses how the rest is read. Even: the rest is a format version (int32) and a
/// payload, which the check wraps with the header, length and a correct SHA-256, so that mutations reach the
/// sections instead of failing the checksum. Odd: the rest is the model stream as it is.
/// </remarks>
internal static class ReaderCheck
{
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);
    private const long MaxManagedBytes = 100L << 20;
    private const long MaxResidentBytes = 200L << 20;

    /// <summary>The prediction memory limit of the check: a model of which one row needs more is rejected at load.</summary>
    public const long PredictionMemoryLimit = 64L << 20;

    /// <summary>
    /// Loads libtorch and JIT-compiles the reader once, so that the first input is measured like the others; fails if
    /// the reader rejects a seed (a fuzzing run from seeds that do not load explores little beyond the header).
    /// </summary>
    public static void Warm()
    {
        DvnRuntime.MaxPredictionMemoryBytes = PredictionMemoryLimit;
        foreach (var (name, input) in Seeds.Inputs())
            if (Run(input) is var outcome && !outcome.StartsWith("loaded", StringComparison.Ordinal))
                throw new InvalidOperationException($"Seed '{name}' is a valid model, but the reader says {outcome}");
    }

    /// <returns>"loaded" or "rejected: message".</returns>
    public static string Run(byte[] input)
    {
        if (input.Length == 0)
            return "empty input";
        var stream = (input[0] & 1) == 0 ? Wrapped(input.AsSpan(1)) : input[1..];
        ResetPeakResident();
        long resident = PeakResidentBytes();
        long managed = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        string outcome;
        try
        {
            var model = DvnModelFormat.Read(new MemoryStream(stream));
            try
            {
                outcome = "loaded; " + PredictEveryLevel(model);
            }
            finally
            {
                model.Network.Dispose();
            }
        }
        catch (InvalidDataException e)
        {
            outcome = $"rejected: {e.Message}";
        }
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - managed, grown = PeakResidentBytes() - resident;
        if (clock.Elapsed > MaxTime || allocated > MaxManagedBytes || grown > MaxResidentBytes)
            throw new InvalidOperationException(
                $"The reader took {clock.Elapsed.TotalMilliseconds:F0} ms, allocated {allocated >> 20} MB and grew the peak resident memory by " +
                $"{grown >> 20} MB for a {stream.Length}-byte model ({outcome}).");
        return outcome;
    }

    // One row of zeros through every (task, level) of the network.
    private static string PredictEveryLevel(Model.DvnModel model)
    {
        var features = new float[model.Network.InputSize];
        var probabilities = new float[model.Predictor.MaxClasses];
        int finite = 0, nonFinite = 0;
        for (int task = 1; task <= model.Network.NumberOfTasks; task++)
            for (int level = 1; level <= model.Network.NumberOfLevels; level++)
            {
                model.Predictor.Predict(features, new[] { task }, new[] { level }, probabilities);
                if (probabilities.AsSpan(0, model.Network.ClassCounts[task - 1]).ToArray().All(float.IsFinite))
                    finite++;
                else
                    nonFinite++;
            }
        return $"{finite} (task, level) predicted finite scores, {nonFinite} non-finite";
    }

    /// <summary>A model stream around a version and payload, with the checksum a reader expects.</summary>
    public static byte[] Wrapped(ReadOnlySpan<byte> versionAndPayload)
    {
        int version = versionAndPayload.Length >= 4 ? BitConverter.ToInt32(versionAndPayload[..4]) : 0;
        var payload = versionAndPayload.Length >= 4 ? versionAndPayload[4..] : ReadOnlySpan<byte>.Empty;
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(Encoding.ASCII.GetBytes("DVNMODEL"));
        writer.Write(version);
        writer.Write((long)payload.Length);
        writer.Write(payload);
        writer.Write(SHA256.HashData(payload));
        writer.Flush();
        return stream.ToArray();
    }

    // Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
    private static void ResetPeakResident()
    {
        if (File.Exists("/proc/self/clear_refs"))
            File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private static long PeakResidentBytes()
    {
        if (!File.Exists("/proc/self/status"))
            return 0;
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
