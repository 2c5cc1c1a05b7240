using System.Text.RegularExpressions;

namespace Microsoft.ML.Dvn.Benchmarks;

/// <summary>The CPU that timings and numeric checks ran on: figures differ by CPU model and by AVX-512 (oneDNN's kernels).</summary>
internal static class MachineDescription
{
    private const string CpuInfo = "/proc/cpuinfo";

    /// <summary>"AMD EPYC; AVX-512: avx512bw avx512cd ..." (or "none"), from /proc/cpuinfo; "unknown" where there is none.</summary>
    public static string Cpu()
    {
        if (!File.Exists(CpuInfo))
            return "unknown CPU";
        string text = File.ReadAllText(CpuInfo);
        string name = Regex.Match(text, @"^model name\s*:\s*(.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();
        var flags = Regex.Matches(text, @"\bavx512[a-z0-9_]*").Select(m => m.Value).Distinct().Order().ToArray();
        return $"{(name.Length == 0 ? "unknown CPU" : name)}; AVX-512: {(flags.Length == 0 ? "none" : string.Join(' ', flags))}";
    }

    /// <summary>The middle value (the upper one of the two middles for an even count); sorts <paramref name="values"/>.</summary>
    public static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
