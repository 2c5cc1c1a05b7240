namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Growth of the process's peak resident memory while an action runs, and its resident memory (Linux; 0 elsewhere).</summary>
internal static class PeakMemory
{
    /// <summary>Runs <paramref name="action"/>; returns by how many bytes the peak resident size grew, and its exception.</summary>
    public static (long Growth, Exception? Error) During(Action action)
    {
        // Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
        bool peak = File.Exists("/proc/self/clear_refs");
        if (peak)
            File.WriteAllText("/proc/self/clear_refs", "5");
        long before = StatusKilobytes(peak ? "VmHWM" : "VmRSS");
        Exception? error = null;
        try
        {
            action();
        }
        catch (Exception e)
        {
            error = e;
        }
        return ((StatusKilobytes(peak ? "VmHWM" : "VmRSS") - before) * 1024, error);
    }

    /// <summary>The process's resident size now, in bytes (VmRSS; 0 where there is no /proc).</summary>
    public static long Resident() => StatusKilobytes("VmRSS") * 1024;

    private static long StatusKilobytes(string field)
    {
        if (!File.Exists("/proc/self/status"))
            return 0;
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
