using Microsoft.ML.Dvn.Native;
using TorchSharp;

namespace Microsoft.ML.Dvn.Tests.Native;

[TestClass]
public sealed class TorchNativeTests
{
    [TestMethod]
    public void OneDnnIsOnOrOffAsTheCpuPolicyOrTheEnvironmentSays()
    {
        DvnRuntime.Initialize();
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
        DvnRuntime.Initialize();
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
}
