using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Native;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The DVN model file (stored as one stream inside ML.NET's model zip):
/// <code>
/// "DVNMODEL"        8 ASCII bytes
/// format version    int32 (this library writes 2 and reads 1 and 2)
/// payload length    int64
/// payload           the model, in sections (below)
/// SHA-256           32 bytes, of the payload
/// </code>
/// Everything is little-endian. Format 2's payload is seven sections, each stored as its name, its length (int32) and
/// its contents, in this order: <c>columns</c>, <c>prediction</c> and <c>training</c> (named fields, see
/// <see cref="FieldReader"/>), <c>architecture</c>, <c>keys</c>, <c>tasks</c> and <c>weights</c>; each section's class
/// writes and reads it. Format 1 stored the same contents without section names and lengths, and the fields of the
/// first three by position.
/// </summary>
/// <remarks>
/// The checksum detects damage, not tampering: anyone can write a file with a valid checksum. So the reader trusts
/// nothing in the file: it checks every count and size against the bytes actually present and against
/// <see cref="ModelLimits"/> before it allocates or loops for it, checks every field against what the file's own
/// structure implies (the architecture, the keys, the allocation rule, the parameter counts the network reads), and
/// builds the network only when the file holds exactly the finite weights that network stores. Time and memory are
/// therefore proportional to the file's size, and every failure is an <see cref="InvalidDataException"/> naming the
/// field. The network is built on the CPU; the loader moves it to the device it runs on.
/// </remarks>
internal static class DvnModelFormat
{
    public const int CurrentVersion = 2;

    private const int HashLength = 32;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("DVNMODEL");

    public static void Write(DvnModel model, Stream stream)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.WriteNamed(ColumnsSection.Name, w => ColumnsSection.Write(w, model.Columns));
            writer.WriteNamed(PredictionSection.Name, w => PredictionSection.Write(w, model.Prediction));
            writer.WriteNamed(TrainingSection.Name, w => TrainingSection.Write(w, model.Training));
            writer.WriteNamed(ArchitectureSection.Name, w => ArchitectureSection.Write(w, model.Network));
            writer.WriteNamed(KeysSection.Name, w => KeysSection.Write(w, model.Labels, model.Tasks));
            writer.WriteNamed(TasksSection.Name, w => TasksSection.Write(w, model));
            writer.WriteNamed(WeightsSection.Name, w => WeightsSection.Write(w, model.Network));
        }
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        output.Write(Magic);
        output.Write(CurrentVersion);
        output.Write((long)bytes.Length);
        output.Write(bytes);
        output.Write(SHA256.HashData(bytes));
    }

    /// <summary>Reads a model written by <see cref="Write"/> (any format version up to <see cref="CurrentVersion"/>); its network is on the CPU.</summary>
    /// <param name="stream">The DVN stream of a model zip.</param>
    /// <param name="applyProcessSettings">Called once the whole file is parsed and checked, before the network is built:
    /// the process-wide settings (<see cref="DvnRuntime.Initialize"/>, the default), which a file that fails its checks
    /// must not change.</param>
    /// <exception cref="InvalidDataException">The stream is not a complete, consistent DVN model; the message names the field.</exception>
    public static DvnModel Read(Stream stream, Action? applyProcessSettings = null)
    {
        var header = ReadAtMost(stream, Magic.Length + sizeof(int) + sizeof(long));
        if (header.Length < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw InvalidModel.Error("it does not start with the DVN model header");
        if (header.Length < 20)
            throw InvalidModel.Error($"it is truncated ({header.Length} of the 20 header bytes present)");
        var envelope = new PayloadReader(header);
        envelope.Bytes("magic", Magic.Length);
        int version = envelope.Int32("version");
        if (version > CurrentVersion)
            throw new InvalidDataException(
                $"This DVN model was written in model format version {version}; this Microsoft.ML.Dvn " +
                $"({typeof(DvnModelFormat).Assembly.GetName().Version}) reads format versions up to {CurrentVersion}. " +
                "Upgrade the Microsoft.ML.Dvn package to load it.");
        InvalidModel.Require(version >= 1, "version", version, $"1 to {CurrentVersion}");
        long length = envelope.Int64("payloadLength");
        InvalidModel.Require(length >= 0 && length <= ModelLimits.MaxPayloadBytes, "payloadLength", length, $"0 to {ModelLimits.MaxPayloadBytes} bytes");
        ModelSizeLimit.Require(length, "its payload (field 'payloadLength')");
        if (stream.CanSeek && length + HashLength > stream.Length - stream.Position)
            throw InvalidModel.Error($"it is truncated: it declares a payload of {length} bytes and its checksum, but only " +
                                     $"{stream.Length - stream.Position} bytes follow the header");
        // A seekable stream was checked to hold the declared bytes; any other is read in chunks.
        var payload = stream.CanSeek ? ReadExactly(stream, (int)length) : ReadAtMost(stream, (int)length);
        var hash = ReadAtMost(stream, HashLength);
        if (payload.Length != length || hash.Length != HashLength)
            throw InvalidModel.Error($"it is truncated ({payload.Length} of {length} payload bytes and {hash.Length} of {HashLength} checksum bytes present)");
        if (ReadAtMost(stream, 1).Length != 0)
            throw InvalidModel.Error("bytes follow its checksum");
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
            throw InvalidModel.Error("its checksum does not match its contents (the file was altered or damaged)");
        return ReadPayload(new PayloadReader(payload), version, applyProcessSettings ?? (() => DvnRuntime.Initialize()));
    }

    private static DvnModel ReadPayload(PayloadReader payload, int version, Action applyProcessSettings)
    {
        var columnFields = Section(payload, version, ColumnsSection.Name, s => version == 1 ? ColumnsSection.Format1(s) : FieldReader.Named(s));
        var predictionFields = Section(payload, version, PredictionSection.Name, s => version == 1 ? PredictionSection.Format1(s) : FieldReader.Named(s));
        var trainingFields = Section(payload, version, TrainingSection.Name, s => version == 1 ? TrainingSection.Format1(s) : FieldReader.Named(s));
        var declared = Section(payload, version, ArchitectureSection.Name, s => ArchitectureSection.Read(s, version));
        var (labels, tasks) = Section(payload, version, KeysSection.Name, KeysSection.Read);
        var served = Section(payload, version, TasksSection.Name, s => TasksSection.Read(s, declared, labels, tasks));
        var weights = Section(payload, version, WeightsSection.Name, s => WeightsSection.Read(s, declared));
        payload.End();
        var columns = ColumnsSection.Read(columnFields);
        var prediction = PredictionSection.Read(predictionFields, declared);
        var training = TrainingSection.Read(trainingFields, tasks.Count, declared.Allocation.NumberOfLevels);

        applyProcessSettings();
        var network = declared.Build();
        try
        {
            weights.Load(network);
            network.eval();
            var model = new DvnModel(network, CPU, columns, labels, tasks, served, prediction, training);
            if (model.Predictor.LevelOverLimit() is string tooLarge)
                throw new InvalidDataException($"The DVN model cannot predict within this process's limits: {tooLarge}.");
            return model;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // Format 2: the section's name and length, then its contents, all of which read must consume. Format 1: the
    // contents alone, read from the payload's current position.
    private static T Section<T>(PayloadReader payload, int version, string name, Func<PayloadReader, T> read)
    {
        if (version == 1)
        {
            var rest = payload.Rest(name);
            var contents = read(rest);
            payload.Continue(rest);
            return contents;
        }
        string stored = payload.String("section name");
        InvalidModel.Require(stored == name, "section name", $"'{stored}'", $"'{name}' (the sections are columns, prediction, training, architecture, keys, tasks, weights)");
        var section = payload.Part(name, payload.Int32($"{name} (its length)"), name);
        var result = read(section);
        section.End();
        return result;
    }

    private static byte[] ReadExactly(Stream stream, int count)
    {
        var bytes = new byte[count];
        int read = stream.ReadAtLeast(bytes, count, throwOnEndOfStream: false);
        return read == count ? bytes : bytes[..read];
    }

    // Reads up to `count` bytes, in chunks: memory grows with the bytes actually present, never with the count a file declares.
    private static byte[] ReadAtMost(Stream stream, int count)
    {
        const int Chunk = 1 << 20;
        if (count <= Chunk)
            return ReadExactly(stream, count);
        using var buffer = new MemoryStream();
        var chunk = new byte[Chunk];
        while (buffer.Length < count)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(Chunk, count - buffer.Length));
            if (read == 0)
                break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
