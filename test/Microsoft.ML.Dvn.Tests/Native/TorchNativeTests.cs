using System.Diagnostics;
using System.Text;
using Microsoft.ML.Dvn.Native;
using TorchSharp;

namespace Microsoft.ML.Dvn.Tests.Native;

[TestClass]
public sealed class TorchNativeTests
{
    [TestMethod]
    public void OneDnnIsOnOrOffAsTheCpuPolicyOrTheEnvironmentSays()
    {
        TorchNative.EnsureInitialized();
        bool expected = Environment.GetEnvironmentVariable(TorchNative.OneDnnVariable)?.ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            _ => TorchNative.OneDnnByDefault,
        };
        Assert.AreEqual(expected, TorchNative.OneDnnEnabled);
    }

    [TestMethod]
    public void EqualInputsGiveEqualBitsRunAfterRun()
    {
        TorchNative.EnsureInitialized();
        Assert.AreNotEqual(false, TorchNative.MklReproducible, "MKL is not in reproducible mode");
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(3);
        var weight = torch.randn(10, 10, generator: generator);
        var input = torch.rand(13, 10, generator: generator).data<float>().ToArray();
        var results = new HashSet<string>();
        var junk = new List<byte[]>();

        for (int run = 0; run < 300; run++)
        {
            junk.Add(new byte[run % 97 + 1]); // moves later managed allocations around
            using var x = torch.tensor((float[])input.Clone(), new long[] { 13, 10 });
            using var y = torch.nn.functional.linear(x, weight);
            results.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(y.data<float>().ToArray().AsSpan()))));
        }

        Assert.AreEqual(1, results.Count, "the same 13x10 by 10x10 product gave different bits on equal inputs");
    }

    [TestMethod]
    public void ALoadFailureExplainsTheLibstdcxxVersionAndTheFix()
    {
        var failure = new TypeInitializationException("TorchSharp.torch",
            new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64.\nmore lines"));

        string message = TorchNative.LoadFailureMessage(failure);

        StringAssert.Contains(message, "could not load TorchSharp's native runtime");
        StringAssert.Contains(message, "GLIBCXX_3.4.32");
        StringAssert.Contains(message, "rebuild the project");
        StringAssert.Contains(message, "doesn't contain a reference to libtorch-cpu-linux-x64.");
        Assert.IsFalse(message.Contains("more lines"), "only TorchSharp's first line belongs in the message");
    }

    [TestMethod]
    public void TheBuildOutputsLibTorchSharpAsksForGlibcxx3432OnlyWeaklyWhereTheSystemLacksIt()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("the native fix is for Linux");
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        bool systemHasIt = File.ReadAllText(SystemLibStdCxx(), Encoding.Latin1).Contains("GLIBCXX_3.4.32\0");

        var flags = VersionNeededFlags(File.ReadAllBytes(library), "GLIBCXX_3.4.32");

        Assert.AreEqual(1, flags.Count, "libLibTorchSharp.so should ask for GLIBCXX_3.4.32 once");
        Assert.AreEqual(!systemHasIt, (flags[0] & 0x2) != 0, systemHasIt ? "patched although the system has the version" : "not patched although the system lacks the version");
    }

    private static string SystemLibStdCxx()
    {
        var start = new ProcessStartInfo("/sbin/ldconfig", "-p") { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string line = process.StandardOutput.ReadToEnd().Split('\n').First(l => l.Trim().StartsWith("libstdc++.so.6 ") && l.Contains("x86-64"));
        return line[(line.IndexOf("=> ", StringComparison.Ordinal) + 3)..].Trim();
    }

    // An independent reading of the ELF64 .gnu.version_r section: the vna_flags of every entry named `version`.
    private static List<ushort> VersionNeededFlags(byte[] elf, string version)
    {
        long sectionTable = BitConverter.ToInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A), count = BitConverter.ToUInt16(elf, 0x3C);
        var flags = new List<ushort>();
        for (int s = 0; s < count; s++)
        {
            int header = (int)(sectionTable + s * entrySize);
            if (BitConverter.ToUInt32(elf, header + 4) != 0x6ffffffe)
                continue;
            long offset = BitConverter.ToInt64(elf, header + 0x18);
            int strings = (int)BitConverter.ToInt64(elf, (int)(sectionTable + BitConverter.ToUInt32(elf, header + 0x28) * entrySize) + 0x18);
            for (long need = offset, n = 0; n < BitConverter.ToUInt32(elf, header + 0x2C); n++)
            {
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < BitConverter.ToUInt16(elf, (int)need + 2); a++, aux += BitConverter.ToUInt32(elf, (int)aux + 12))
                {
                    int name = strings + (int)BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (Encoding.ASCII.GetString(elf, name, Array.IndexOf(elf, (byte)0, name) - name) == version)
                        flags.Add(BitConverter.ToUInt16(elf, (int)aux + 4));
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return flags;
    }
}
