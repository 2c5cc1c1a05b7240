using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// A small zip can declare a DVN stream of gigabytes (deflate of zeros: about 1 KB a megabyte). Loading must refuse it
/// before ML.NET extracts the entry and before the reader allocates or hashes the payload, in under a second and
/// 100 MB, naming <see cref="DvnRuntime.MaxModelBytes"/> and how to raise it.
/// </summary>
[TestClass]
public sealed class ModelSizeLimitTests
{
    private const long Limit = 16L << 20;
    private const long MaxGrowth = 100L << 20;

    private static byte[] _zip = null!;
    private long _limitBefore;

    [ClassInitialize]
    public static void SaveASmallModel(TestContext _)
    {
        var trained = new TrainedPipeline(new MLContext(seed: 1), epochs: 1);
        _zip = ModelZip.Save(trained.Ml, trained.Model, trained.Data.Schema);
    }

    [TestInitialize]
    public void RememberTheLimit() => _limitBefore = DvnRuntime.MaxModelBytes;

    [TestCleanup]
    public void RestoreTheLimit() => DvnRuntime.MaxModelBytes = _limitBefore;

    [TestMethod]
    public void TheDefaultLimitIsFiveHundredTwelveMebibytes() => Assert.AreEqual(512L << 20, _limitBefore);

    [TestMethod]
    public void AZipEntryThatExpandsBeyondTheLimitFailsBeforeItIsExtracted()
    {
        // 64 MiB of zeros deflate to some 64 KB; the zip declares the 64 MiB.
        var bomb = ModelZip.WithDvnEntry(_zip, _ => new byte[64 << 20]);
        Assert.IsTrue(bomb.Length < 1 << 20, $"the crafted zip has {bomb.Length} bytes");
        DvnRuntime.MaxModelBytes = Limit;
        var clock = Stopwatch.StartNew();

        var (growth, error) = PeakMemory.During(() => ModelZip.Load(bomb));

        clock.Stop();
        Assert.IsNotNull(error);
        string messages = ModelZip.Messages(error);
        StringAssert.Contains(messages, $"DvnModel.bin' (its uncompressed size) is {64 << 20} bytes, above the model size limit DvnRuntime.MaxModelBytes ({Limit} bytes)");
        StringAssert.Contains(messages, $"raise the limit before loading it (DvnRuntime.MaxModelBytes = {64 << 20})");
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(1) && growth < MaxGrowth, $"{clock.ElapsedMilliseconds} ms, {growth >> 20} MB");
    }

    [TestMethod]
    public void AStreamDeclaringAPayloadBeyondTheLimitFailsBeforeItIsReadOrHashed()
    {
        DvnRuntime.MaxModelBytes = Limit;
        var header = new byte[20];
        Encoding.ASCII.GetBytes("DVNMODEL").CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 2);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(12), Limit + 1);
        // The declared payload follows in full: only the declaration can stop the reader.
        var file = header.Concat(new byte[Limit + 1 + 32]).ToArray();

        var error = Assert.ThrowsExactly<InvalidDataException>(() => DvnModelFormat.Read(new MemoryStream(file)));

        StringAssert.Contains(error.Message, $"its payload (field 'payloadLength') is {Limit + 1} bytes, above the model size limit DvnRuntime.MaxModelBytes ({Limit} bytes)");
    }

    [TestMethod]
    public void AModelWithinTheLimitLoads()
    {
        DvnRuntime.MaxModelBytes = ModelZip.DvnEntry(_zip).Length;

        Assert.IsNotNull(ModelZip.Load(_zip));
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(-5L)]
    public void ALimitBelowOneByteIsRefusedNamingTheProperty(long limit)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DvnRuntime.MaxModelBytes = limit);
        StringAssert.Contains(error.Message, $"DvnRuntime.MaxModelBytes is {limit}; expected at least 1 byte");
    }
}
