using System.Reflection;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Dvn.Samples;

/// <summary>The machine a report's figures come from.</summary>
/// <param name="Cores">Logical processors the process sees.</param>
/// <param name="Os">The operating system's name and version.</param>
/// <param name="TorchSharp">TorchSharp's version.</param>
internal sealed record MachineInfo(int Cores, string Os, string TorchSharp)
{
    /// <summary>This process's machine.</summary>
    public static MachineInfo OfThisProcess()
    {
        string torchSharp = typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                            ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        return new MachineInfo(Environment.ProcessorCount, OperatingSystemName(), torchSharp.Split('+')[0]);
    }

    // /etc/os-release names the distribution ("Debian GNU/Linux 12 (bookworm)"); the runtime only knows the kernel.
    private static string OperatingSystemName()
    {
        const string osRelease = "/etc/os-release";
        string? prettyName = File.Exists(osRelease)
            ? File.ReadLines(osRelease).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        return prettyName ?? RuntimeInformation.OSDescription;
    }
}
