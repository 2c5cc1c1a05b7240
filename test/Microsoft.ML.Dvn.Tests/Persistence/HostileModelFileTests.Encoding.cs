using System.Text;
using Microsoft.ML.Dvn.Persistence;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// The envelope and the value encodings, byte by byte (DvnModelFormat's layout: header, payload, SHA-256; strings as
/// BinaryWriter writes them), and the sections the library writes back compared with the same sections written by
/// hand here. Added for the mutants that survived the persistence run of docs/testing.md.
/// </summary>
public sealed partial class HostileModelFileTests
{
    [TestMethod]
    public void AFileCutInItsHeaderOrChecksumOrWithAnotherHeaderFailsSayingWhich()
    {
        var file = CraftedModel.Valid.File();
        long payload = CraftedModel.Valid.Payload().Length;

        StringAssert.Contains(Rejects(Encoding.ASCII.GetBytes("DVNMODEL")).Message, "it is truncated (8 of the 20 header bytes present)");
        var other = file.ToArray();
        other[0] = (byte)'X';
        StringAssert.Contains(Rejects(other).Message, "it does not start with the DVN model header");
        // 12 of the 32 checksum bytes missing: after the 20 header bytes come the payload and 20 checksum bytes.
        StringAssert.Contains(Rejects(file[..^12]).Message,
            $"it is truncated: it declares a payload of {payload} bytes and its checksum, but only {payload + 20} bytes follow the header");
        StringAssert.Contains(Rejects(file[..^12], seekable: false).Message,
            $"it is truncated ({payload} of {payload} payload bytes and 20 of 32 checksum bytes present)");
    }

    [TestMethod]
    public void APayloadOfSeveralMebibytesLoadsFromAStreamThatCannotSeek()
    {
        // 300,000 features into a hidden layer of 4: 1.2 million weights, 4.8 MB, read in 1-MiB chunks.
        var large = (CraftedModel.Valid with { InputSize = 300_000 }).Consistent();

        using var model = new DisposingModel(Read(large.File(), seekable: false));

        Assert.AreEqual(large.Weights.Sum(w => (long)w.Values.Length), model.Value.Network.StoredParameterCount);
        Assert.IsTrue(model.Value.Network.StoredParameterCount > 1_200_000);
    }

    [TestMethod]
    public void StringsOfMoreThan127BytesLoadAndBadStringLengthsOrTextAreNamed()
    {
        // A length of 300 takes two bytes (0xAC 0x02).
        string features = new('f', 300);
        using (var model = new DisposingModel(Read((CraftedModel.Valid with { Columns = CraftedModel.Valid.Columns.Select((c, i) => i == 0 ? features : c).ToArray() }).File())))
            Assert.AreEqual(features, model.Value.Columns.Features);

        var file = CraftedModel.Valid.File();
        // The payload starts with the first section's name: five length bytes whose last holds bits 28 to 34.
        StringAssert.Contains(Rejects(WithPayload(file, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x08 })).Message,
            "field 'section name' has a string length that does not fit 31 bits");
        StringAssert.Contains(Rejects(WithPayload(file, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 })).Message,
            "field 'section name' is cut short (0 of 2147483647 bytes left)");
        StringAssert.Contains(Rejects(WithPayload(file, new byte[] { 0x02, 0xC3, 0x28 })).Message, "field 'section name' is not valid UTF-8 text");
    }

    [TestMethod]
    public void CountsAndLengthsBeyondTheBytesLeftFlagsOtherThanZeroOrOneAndUnknownTypeCodesAreNamed()
    {
        StringAssert.Contains(Rejects(CraftedModel.Valid.WithCount("training.rowsPerTask", 3)).Message,
            "field 'training.rowsPerTask' claims 3 entries, but 16 bytes are left for them (at least 8 an entry)");
        StringAssert.Contains(Rejects(WithPayload(CraftedModel.Valid.File(), Bytes(w => { w.Write("columns"); w.Write(-1); }))).Message,
            "field 'columns' claims -1 bytes, but 0 are left");
        var empty = FieldBytes(("batchSize", w => w.Write(32)), ("device", w => w.Write(1)), ("newer", _ => { }));
        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("prediction", empty)).Message, "field 'prediction.newer' is not known to this Microsoft.ML.Dvn");

        StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("keys", Bytes(w => { w.Write(5); w.Write((byte)2); }))).Message,
            "field 'keys.labels.hasValues' is 2; expected 0 or 1 (a boolean)");
        foreach (int code in new[] { 8, -1 })
            StringAssert.Contains(Rejects(CraftedModel.Valid.WithSection("keys", Bytes(w => { w.Write(5); w.Write(true); w.Write(code); w.Write(5); }))).Message,
                $"field 'keys.labels.values.type' is {code}; expected a type code from 0 to 7");
    }

    [TestMethod]
    public void ColumnNamesAreCheckedWhenRead()
    {
        (string, Action<BinaryWriter>)[] Columns(params (string Name, string Value)[] changes)
        {
            var fields = new[] { "features", "label", "task", "memoryBudget", "score", "predictedLabel", "level", "parameterCount" }
                .Zip(CraftedModel.Valid.Columns).ToDictionary(p => p.First, p => p.Second);
            foreach (var (name, value) in changes)
                fields[name] = value;
            return fields.Select(f => (f.Key, (Action<BinaryWriter>)(w => w.Write(f.Value)))).ToArray();
        }
        string Error(params (string, string)[] changes) => Rejects(CraftedModel.Valid.WithSection("columns", FieldBytes(Columns(changes)))).Message;

        StringAssert.Contains(Error(("features", " ")), "field 'columns.features' is ' '; expected a column name");
        StringAssert.Contains(Error(("memoryBudgetBytes", "")), "field 'columns.memoryBudgetBytes' is ''; expected a column name");
        StringAssert.Contains(Error(("latencyBudget", "MemoryBudget")),
            "field 'columns.memoryBudget, memoryBudgetBytes and latencyBudget' is MemoryBudget, MemoryBudgetBytes, MemoryBudget; expected three different names");
        StringAssert.Contains(Error(("score", "Level")),
            "field 'columns.score, predictedLabel, level and parameterCount' is Level, PredictedLabel, Level, ParameterCount; expected four different names");
        StringAssert.Contains(Error(("newer", "X")), "field 'columns.newer' is not known to this Microsoft.ML.Dvn");
    }

    [TestMethod]
    public void TheWriterWritesBackTheColumnsAndKeySectionsAsWrittenByHand()
    {
        // Columns: the eight names, then the budget columns in bytes and microseconds only when not the defaults.
        var names = new[] { "features", "label", "task", "memoryBudget", "score", "predictedLabel", "level", "parameterCount" }.Zip(CraftedModel.Valid.Columns)
            .Select(p => (p.First, (Action<BinaryWriter>)(w => w.Write(p.Second)))).ToArray();
        var defaults = FieldBytes(names);
        var renamed = FieldBytes(names.Append(("memoryBudgetBytes", w => w.Write("Bytes"))).Append(("latencyBudget", w => w.Write("Micros"))).ToArray());
        var onlyLatency = FieldBytes(names.Append(("latencyBudget", w => w.Write("Micros"))).ToArray());
        // Keys: the labels as text (type 0), the two task keys' values in each other type (1 float to 7 boolean).
        var typed = new (int Code, Action<BinaryWriter> Values)[]
        {
            (1, w => { w.Write(1.5f); w.Write(-2.5f); }), (2, w => { w.Write(1.25); w.Write(1e300); }), (3, w => { w.Write(7); w.Write(-7); }),
            (4, w => { w.Write(1L << 40); w.Write(-3L); }), (5, w => { w.Write(3u); w.Write(uint.MaxValue); }),
            (6, w => { w.Write(5ul); w.Write(ulong.MaxValue); }), (7, w => { w.Write(false); w.Write(true); }),
        };
        var sections = new List<(string Name, byte[] Contents)> { ("columns", defaults), ("columns", renamed), ("columns", onlyLatency) };
        sections.AddRange(typed.Select(t => ("keys", Bytes(w =>
        {
            w.Write(5);
            w.Write(true);
            w.Write(0);
            w.Write(5);
            foreach (string label in CraftedModel.Valid.LabelValues!)
                w.Write(label);
            w.Write(2);
            w.Write(true);
            w.Write(t.Code);
            w.Write(2);
            t.Values(w);
        }))));

        foreach (var (name, contents) in sections)
        {
            using var model = new DisposingModel(Read(CraftedModel.Valid.WithSection(name, contents).File()));
            using var written = new MemoryStream();
            DvnModelFormat.Write(model.Value, written);
            var payload = written.ToArray()[20..^32];
            CollectionAssert.AreEqual(contents, Sections(payload).Single(s => s.Name == name).Contents, $"{name}: {contents.Length} bytes");
        }
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            write(writer);
        return stream.ToArray();
    }

    // A loaded model whose native network is freed at the end of the test.
    private sealed class DisposingModel(Model.DvnModel value) : IDisposable
    {
        public Model.DvnModel Value { get; } = value;

        public void Dispose() => Value.Network.Dispose();
    }
}
