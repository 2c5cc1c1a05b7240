namespace Microsoft.ML.Dvn.Benchmarks.Soak;

/// <summary>The process's resident set size as the kernel counts it: managed heap, native tensors, code and all.</summary>
internal static class ResidentMemory
{
    private const string Status = "/proc/self/status";

    /// <summary>Whether this system has /proc/self/status (Linux).</summary>
    public static bool IsAvailable => File.Exists(Status);

    /// <summary>VmRSS in bytes.</summary>
    public static long Bytes() => Field("VmRSS");

    /// <summary>VmHWM in bytes: the peak resident set size of the process so far.</summary>
    public static long PeakBytes() => Field("VmHWM");

    private static long Field(string name)
    {
        string line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))
                      ?? throw new InvalidOperationException($"{Status} has no {name} line.");
        // "VmRSS:     123456 kB"
        return long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
