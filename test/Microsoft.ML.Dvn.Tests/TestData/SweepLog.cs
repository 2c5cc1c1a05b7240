namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>The sweep's progress lines as an MLContext's log carries them.</summary>
internal static class SweepLog
{
    /// <summary>Adds every message the sweep writes to <paramref name="ml"/>'s log to <paramref name="lines"/> (thread-safe).</summary>
    public static List<string> Capture(MLContext ml, List<string> lines)
    {
        ml.Log += (_, e) => { if (e.Source.Contains("DvnSweep")) lock (lines) lines.Add(e.RawMessage); };
        return lines;
    }
}
