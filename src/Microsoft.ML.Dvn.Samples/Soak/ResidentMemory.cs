namespace Microsoft.ML.Dvn.Samples.Soak;

/// <summary>The process's resident set size as the kernel counts it: managed heap, native tensors, code and all.</summary>
internal static class ResidentMemory
{
    private const string Status = "/proc/self/status";

    /// <summary>Whether this system has /proc/self/status (Linux).</summary>
    public static bool IsAvailable => File.Exists(Status);

    /// <summary>VmRSS in bytes.</summary>
    public static long Bytes()
    {
        string line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                      ?? throw new InvalidOperationException($"{Status} has no VmRSS line.");
        // "VmRSS:     123456 kB"
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
