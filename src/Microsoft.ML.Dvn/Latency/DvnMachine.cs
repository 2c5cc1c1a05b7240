using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Dvn;

/// <summary>
/// The machine a latency table was measured on: latencies hold for that machine (its CPU, its cores, the threads
/// libtorch used), not for another.
/// </summary>
/// <param name="Name">The machine's name (<see cref="Environment.MachineName"/>).</param>
/// <param name="Processor">The CPU model, as the operating system reports it ("unknown" where it does not).</param>
/// <param name="ProcessorCount">Logical processors available to the process.</param>
/// <param name="OperatingSystem">The operating system and architecture.</param>
/// <param name="TorchThreads">libtorch's intra-op threads during the measurement.</param>
public sealed record DvnMachine(string Name, string Processor, int ProcessorCount, string OperatingSystem, int TorchThreads)
{
    /// <summary>The machine this process runs on.</summary>
    public static DvnMachine Current() => new(Environment.MachineName, ProcessorName(), Environment.ProcessorCount,
        $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}", TorchSharp.torch.get_num_threads());

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Processor}, {ProcessorCount} processors, {TorchThreads} libtorch threads)";

    private static string ProcessorName()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
            return "unknown";
        string name = Regex.Match(File.ReadAllText(CpuInfo), @"^model name\s*:\s*(.+)$", RegexOptions.Multiline).Groups[1].Value.Trim();
        return name.Length == 0 ? "unknown" : name;
    }
}
