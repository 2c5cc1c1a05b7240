using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Persistence;

[TestClass]
public sealed class ModelFileIntegrityTests
{
    private static TrainedPipeline _trained = null!;
    private static byte[] _zip = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _trained = new TrainedPipeline(new MLContext(seed: 1), epochs: 2);
        _zip = ModelZip.Save(_trained.Ml, _trained.Model, _trained.Data.Schema);
    }

    [TestMethod]
    public void TheModelStreamStartsWithTheHeaderAndFormatVersionTwo()
    {
        var entry = ModelZip.DvnEntry(_zip);
        Assert.AreEqual("DVNMODEL", Encoding.ASCII.GetString(entry, 0, 8));
        Assert.AreEqual(2, BinaryPrimitives.ReadInt32LittleEndian(entry.AsSpan(8)));
    }

    [TestMethod]
    public void AFlippedBitAnywhereInTheWeightsFailsTheChecksum()
    {
        foreach (double where in new[] { 0.3, 0.6, 0.99 })
        {
            var altered = ModelZip.WithDvnEntry(_zip, bytes =>
            {
                int position = (int)(20 + (bytes.Length - 52) * where);
                bytes[position] ^= 0x10;
                return bytes;
            });
            var error = Assert.Throws<Exception>(() => ModelZip.Load(altered));
            StringAssert.Contains(ModelZip.Messages(error), "checksum does not match", $"flip at {where:P0}");
        }
    }

    [TestMethod]
    public void ATruncatedModelStreamFailsSayingSo()
    {
        foreach (int keep in new[] { 4, 15, 400 })
        {
            var truncated = ModelZip.WithDvnEntry(_zip, bytes => bytes[..keep]);
            var error = Assert.Throws<Exception>(() => ModelZip.Load(truncated));
            string messages = ModelZip.Messages(error);
            Assert.IsTrue(messages.Contains("truncated") || messages.Contains("header"), $"keep {keep}: {messages}");
        }
    }

    [TestMethod]
    public void ATruncatedZipFileFailsWithAnExceptionNotACrash()
    {
        var error = Assert.Throws<Exception>(() => ModelZip.Load(_zip[..(_zip.Length / 2)]));
        Assert.IsFalse(string.IsNullOrWhiteSpace(error.Message));
    }

    [TestMethod]
    public void AModelOfANewerFormatVersionFailsNamingBothVersions()
    {
        var newer = ModelZip.WithDvnEntry(_zip, bytes =>
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 3);
            return bytes;
        });

        var error = Assert.Throws<Exception>(() => ModelZip.Load(newer));

        string messages = ModelZip.Messages(error);
        StringAssert.Contains(messages, "model format version 3");
        StringAssert.Contains(messages, "reads format versions up to 2");
        StringAssert.Contains(messages, "Upgrade the Microsoft.ML.Dvn package");
    }

    [TestMethod]
    public void TheZipNamesTheLoaderAssemblyBySimpleNameSoLaterVersionsLoadIt()
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(_zip));
        var headers = archive.Entries.Where(e => e.FullName.EndsWith("Model.key")).Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return Encoding.Unicode.GetString(copy.ToArray()) + Encoding.UTF8.GetString(copy.ToArray());
        }).ToList();

        string dvnHeader = headers.Single(h => h.Contains("DvnTransformer"));

        StringAssert.Contains(dvnHeader, "Microsoft.ML.Dvn");
        Assert.IsFalse(dvnHeader.Contains("Microsoft.ML.Dvn, Version="), "the full assembly name (with its version) was stored");
    }
}
