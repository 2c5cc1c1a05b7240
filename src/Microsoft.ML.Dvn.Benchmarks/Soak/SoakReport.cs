using System.Text.Json;

namespace Microsoft.ML.Dvn.Benchmarks.Soak;

/// <summary>What a soak run measured: resident memory along each phase (JSON, next to the console summary).</summary>
internal sealed record SoakReport(string Architecture, string Data, string Cpu, int Cores, SoakPhase SingleRows, SoakPhase TransformPasses)
{
    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
}

/// <param name="Name">What the phase repeats.</param>
/// <param name="Repetitions">Predictions or passes run.</param>
/// <param name="WarmUp">Repetitions before the baseline sample (growth is measured from there).</param>
/// <param name="Seconds">Wall time of the whole phase.</param>
/// <param name="Samples">Resident memory along the phase, evenly spaced, the last at the end.</param>
internal sealed record SoakPhase(string Name, long Repetitions, long WarmUp, double Seconds, IReadOnlyList<SoakSample> Samples)
{
    /// <summary>Resident memory when the warm-up ended.</summary>
    public long BaselineBytes => Samples.Last(s => s.Done <= WarmUp).ResidentBytes;

    /// <summary>Growth from the end of the warm-up to the end of the phase, as a share of the baseline.</summary>
    public double Growth => (double)(Samples[^1].ResidentBytes - BaselineBytes) / BaselineBytes;

    /// <summary>The highest sample after the warm-up, as a share above the baseline.</summary>
    public double PeakGrowth => (double)(Samples.Where(s => s.Done > WarmUp).Max(s => s.ResidentBytes) - BaselineBytes) / BaselineBytes;
}

/// <param name="Done">Repetitions finished when sampled.</param>
/// <param name="ResidentBytes">VmRSS.</param>
/// <param name="ManagedBytes">The GC heap's live objects after the full collection that precedes the sample.</param>
/// <param name="ManagedCommittedBytes">Memory the GC holds for its heap then (live objects, free space and bookkeeping).</param>
internal sealed record SoakSample(long Done, long ResidentBytes, long ManagedBytes, long ManagedCommittedBytes);
