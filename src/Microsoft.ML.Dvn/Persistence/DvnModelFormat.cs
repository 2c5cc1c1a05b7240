using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Persistence;

/// <summary>
/// The DVN model file (stored as one stream inside ML.NET's model zip):
/// <code>
/// "DVNMODEL"        8 ASCII bytes
/// format version    int32 (this library writes 1 and reads 1 and below)
/// payload length    int64
/// payload           the model: columns, prediction and training options, architecture, key metadata,
///                   task/level structure, then every weight
/// SHA-256           32 bytes, of the payload
/// </code>
/// Everything is little-endian. A truncated or altered file fails the length or checksum test before anything
/// is built from it; a file of a newer format version fails with a message saying so.
/// </summary>
internal static class DvnModelFormat
{
    public const int CurrentVersion = 1;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("DVNMODEL");

    public static void Write(DvnModel model, Stream stream)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
            WritePayload(model, writer);
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        output.Write(Magic);
        output.Write(CurrentVersion);
        output.Write((long)bytes.Length);
        output.Write(bytes);
        output.Write(SHA256.HashData(bytes));
    }

    public static DvnModel Read(Stream stream)
    {
        using var input = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var magic = input.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw Corrupt("it does not start with the DVN model header");
        int version = ReadOrCorrupt(input.ReadInt32);
        if (version > CurrentVersion)
            throw new InvalidDataException(
                $"This DVN model was written in model format version {version}; this Microsoft.ML.Dvn " +
                $"({typeof(DvnModelFormat).Assembly.GetName().Version}) reads format versions up to {CurrentVersion}. " +
                "Upgrade the Microsoft.ML.Dvn package to load it.");
        if (version < 1)
            throw Corrupt($"format version {version} does not exist");
        long length = ReadOrCorrupt(input.ReadInt64);
        if (length < 0 || length > int.MaxValue)
            throw Corrupt($"it declares a payload of {length} bytes");
        var payload = input.ReadBytes((int)length);
        var hash = input.ReadBytes(32);
        if (payload.Length != length || hash.Length != 32)
            throw Corrupt($"it is truncated ({payload.Length} of {length} payload bytes present)");
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
            throw Corrupt("its checksum does not match its contents (the file was altered or damaged)");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            return ReadPayload(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw Corrupt($"its contents are inconsistent ({e.Message})", e);
        }
    }

    private static void WritePayload(DvnModel model, BinaryWriter writer)
    {
        var network = model.Network;
        var columns = model.Columns;
        foreach (var name in new[] { columns.Features, columns.Label, columns.Task, columns.MemoryBudget, columns.Score,
                     columns.PredictedLabel, columns.Level, columns.ParameterCount })
            writer.Write(name);
        writer.Write(model.Prediction.BatchSize);
        writer.Write((int)model.Prediction.RequestedDevice);
        var training = model.Training;
        writer.Write(training.NumberOfEpochs);
        writer.Write(training.BatchSize);
        writer.Write(training.LearningRate);
        writer.Write(training.WeightDecay);
        writer.Write(training.Seed);
        writer.Write(training.RowsPerTask.Count);
        foreach (long rows in training.RowsPerTask)
            writer.Write(rows);
        WriteMethodOptions(writer, training, network.Allocation.Order);

        var architecture = network.Architecture;
        writer.Write((int)architecture.Kind);
        writer.Write(architecture.ImageHeight);
        writer.Write(architecture.ImageWidth);
        writer.Write(architecture.ImageChannels);
        WriteInts(writer, architecture.ConvolutionChannels);
        WriteInts(writer, architecture.HiddenLayerSizes);
        writer.Write(network.InputSize);
        writer.Write(network.Allocation.NumberOfUnits);
        writer.Write(network.Allocation.NumberOfLevels);
        WriteInts(writer, network.ClassCounts);

        writer.Write(model.Labels.Count);
        WriteKeyValues(writer, model.Labels.Values);
        writer.Write(model.Tasks.Count);
        WriteKeyValues(writer, model.Tasks.Values);
        WriteInts(writer, model.ServedTaskKeys);
        foreach (var task in model.Served)
            WriteInts(writer, task.Classes.Select(c => checked((int)c)).ToArray());
        foreach (var level in model.Served.SelectMany(t => t.Levels))
        {
            writer.Write(level.Level);
            writer.Write(level.ParameterCount);
            WriteInts(writer, level.Units);
        }

        var tensors = NamedTensors(network);
        writer.Write(tensors.Count);
        foreach (var (name, value) in tensors)
        {
            writer.Write(name);
            WriteInts(writer, value.shape.Select(d => checked((int)d)).ToArray());
            using var data = value.detach().cpu().contiguous();
            writer.Write(MemoryMarshal.AsBytes(data.data<float>().ToArray().AsSpan()));
        }
    }

    private static DvnModel ReadPayload(BinaryReader reader)
    {
        var names = Enumerable.Range(0, 8).Select(_ => reader.ReadString()).ToArray();
        var columns = new DvnColumnNames(names[0], names[1], names[2], names[3], names[4], names[5], names[6], names[7]);
        int predictionBatchSize = reader.ReadInt32();
        var device = (DvnDevice)reader.ReadInt32();
        var (epochs, batchSize, learningRate, weightDecay, seed) =
            (reader.ReadInt32(), reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt64());
        var rowsPerTask = Read(reader.ReadInt32(), reader.ReadInt64);
        var method = ReadMethodOptions(reader, rowsPerTask.Length);

        var kind = (DvnArchitectureKind)reader.ReadInt32();
        int height = reader.ReadInt32(), width = reader.ReadInt32(), channels = reader.ReadInt32();
        var convolutions = ReadInts(reader);
        var hidden = ReadInts(reader);
        var architecture = kind switch
        {
            DvnArchitectureKind.Cnn => DvnArchitecture.Cnn(height, width, channels, convolutions, hidden),
            DvnArchitectureKind.Mlp => DvnArchitecture.Mlp(hidden),
            _ => throw new InvalidOperationException($"unknown architecture kind {(int)kind}"),
        };
        int inputSize = reader.ReadInt32(), units = reader.ReadInt32(), levelCount = reader.ReadInt32();
        var classCounts = ReadInts(reader);
        var training = new DvnTrainingInfo(epochs, batchSize, learningRate, weightDecay, seed, rowsPerTask,
            method.LevelWeights ?? Enumerable.Repeat(1.0, levelCount).ToArray(), method.Distillation, method.Schedule, method.BatchOrder,
            method.TaskOrder, method.TasksInUnitOrder);

        int labelKeyCount = reader.ReadInt32();
        var labelKeyValues = ReadKeyValues(reader);
        int taskKeyCount = reader.ReadInt32();
        var taskKeyValues = ReadKeyValues(reader);
        var servedTasks = ReadInts(reader);
        var classes = classCounts.Select(_ => ReadInts(reader).Select(c => checked((uint)c)).ToArray()).ToArray();
        var levels = classCounts.Select(_ => Enumerable.Range(0, levelCount)
            .Select(_ => new LevelDescriptor(reader.ReadInt32(), reader.ReadInt64(), ReadInts(reader))).ToArray()).ToArray();

        var network = new DvnNetwork(architecture, inputSize, classCounts, new UnitAllocation(classCounts.Length, units, levelCount,
            method.NetworkOrder is null ? null : new TaskOrder(method.NetworkOrder)), seed: 0);
        try
        {
            var tensors = NamedTensors(network);
            int count = reader.ReadInt32();
            if (count != tensors.Count)
                throw new InvalidOperationException($"{count} weight tensors stored, the architecture has {tensors.Count}");
            using (no_grad())
                foreach (var (name, value) in tensors)
                {
                    string stored = reader.ReadString();
                    var shape = ReadInts(reader).Select(d => (long)d).ToArray();
                    if (stored != name || !shape.SequenceEqual(value.shape))
                        throw new InvalidOperationException($"weight '{stored}' [{string.Join(", ", shape)}] where '{name}' [{string.Join(", ", value.shape)}] belongs");
                    var bytes = reader.ReadBytes(checked((int)value.numel() * sizeof(float)));
                    if (bytes.Length != value.numel() * sizeof(float))
                        throw new EndOfStreamException($"weight '{name}' is cut short");
                    using var loaded = tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
                    value.copy_(loaded);
                }
            var resolved = TorchDevices.ResolveForLoading(device);
            network.to(resolved);
            network.eval();
            if (servedTasks.Length != classCounts.Length)
                throw new InvalidOperationException($"{servedTasks.Length} served tasks for {classCounts.Length} network tasks");
            var served = servedTasks.Select((key, i) => new ServedTask(key, classes[i], levels[i])).ToArray();
            return new DvnModel(network, resolved, columns, new KeyDomain(labelKeyCount, labelKeyValues),
                new KeyDomain(taskKeyCount, taskKeyValues), served, new PredictionSettings(predictionBatchSize, device), training);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // ---- The method's options (issue 11): one block at the end of the training section. ----
    // Written after the rows per task, behind a marker: a file without the marker (format 1 as Microsoft.ML.Dvn 0.1.0
    // wrote it) has the architecture kind (0 or 1) there instead, and loads with the behaviour of that time: every
    // level weight 1, no distillation, a constant learning rate, round-robin batches, tasks in key order.
    // Contents: level weights, distillation weight, learning-rate schedule, batch order, how tasks were ordered, the task
    // keys along the units, and the order of the network's own tasks along its units (the allocation: it changes which
    // units a level reads, so a loaded model computes what the trained one did; for an extracted sub-network, its one task).
    private const int MethodOptionsMarker = 0x4F4E5644; // "DVNO"

    private sealed record MethodOptions(double[]? LevelWeights, double Distillation, DvnLearningRateSchedule Schedule,
        DvnBatchOrder BatchOrder, DvnTaskOrder TaskOrder, int[] TasksInUnitOrder, int[]? NetworkOrder);

    private static void WriteMethodOptions(BinaryWriter writer, DvnTrainingInfo training, TaskOrder networkOrder)
    {
        writer.Write(MethodOptionsMarker);
        writer.Write(training.LevelWeights.Count);
        foreach (double weight in training.LevelWeights)
            writer.Write(weight);
        writer.Write(training.DistillationWeight);
        writer.Write((int)training.LearningRateSchedule);
        writer.Write((int)training.BatchOrder);
        writer.Write((int)training.TaskOrder);
        WriteInts(writer, training.TasksInUnitOrder);
        WriteInts(writer, networkOrder.TasksByPosition);
    }

    private static MethodOptions ReadMethodOptions(BinaryReader reader, int taskKeys)
    {
        if (reader.ReadInt32() != MethodOptionsMarker)
        {
            reader.BaseStream.Seek(-sizeof(int), SeekOrigin.Current);
            return new MethodOptions(null, 0, DvnLearningRateSchedule.Constant, DvnBatchOrder.RoundRobin, DvnTaskOrder.TaskKeys,
                Enumerable.Range(1, taskKeys).ToArray(), null);
        }
        int weightCount = reader.ReadInt32();
        if (weightCount < 1 || weightCount > reader.BaseStream.Length / sizeof(double))
            throw new InvalidOperationException($"{weightCount} level weights");
        var weights = Read(weightCount, reader.ReadDouble);
        double distillation = reader.ReadDouble();
        var schedule = (DvnLearningRateSchedule)reader.ReadInt32();
        var batchOrder = (DvnBatchOrder)reader.ReadInt32();
        var taskOrder = (DvnTaskOrder)reader.ReadInt32();
        var tasksInUnitOrder = ReadInts(reader);
        var networkOrder = ReadInts(reader);
        if (weights.Any(w => !double.IsFinite(w) || w < 0) || !(distillation is >= 0 and <= 1) || !Enum.IsDefined(schedule)
            || !Enum.IsDefined(batchOrder) || !Enum.IsDefined(taskOrder))
            throw new InvalidOperationException(
                $"training options out of range: level weights {string.Join(", ", weights)}, distillation {distillation}, " +
                $"schedule {(int)schedule}, batch order {(int)batchOrder}, task order {(int)taskOrder}");
        if (tasksInUnitOrder.Length != taskKeys || !tasksInUnitOrder.Order().SequenceEqual(Enumerable.Range(1, taskKeys)))
            throw new InvalidOperationException($"tasks along the units {string.Join(", ", tasksInUnitOrder)} for {taskKeys} task keys");
        return new MethodOptions(weights, distillation, schedule, batchOrder, taskOrder, tasksInUnitOrder, networkOrder);
    }
    // ---- End of the method's options. ----

    /// <summary>Every parameter and buffer, in the network's registration order.</summary>
    private static List<(string Name, Tensor Value)> NamedTensors(DvnNetwork network) =>
        network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(network.named_buffers()).ToList();

    private static void WriteInts(BinaryWriter writer, IReadOnlyList<int> values)
    {
        writer.Write(values.Count);
        foreach (int value in values)
            writer.Write(value);
    }

    private static int[] ReadInts(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > reader.BaseStream.Length / sizeof(int))
            throw new InvalidOperationException($"a list claims {count} entries");
        return Enumerable.Range(0, count).Select(_ => reader.ReadInt32()).ToArray();
    }

    // Type codes of key values: the order of KeyValueTypes.
    private static readonly PrimitiveDataViewType[] KeyValueTypes =
    {
        TextDataViewType.Instance, NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Int32,
        NumberDataViewType.Int64, NumberDataViewType.UInt32, NumberDataViewType.UInt64, BooleanDataViewType.Instance,
    };

    private static void WriteKeyValues(BinaryWriter writer, KeyValues? keyValues)
    {
        writer.Write(keyValues is not null);
        if (keyValues is null)
            return;
        writer.Write(Array.IndexOf(KeyValueTypes, keyValues.ItemType));
        writer.Write(keyValues.Count);
        foreach (var value in keyValues.Values)
        {
            switch (value)
            {
                case string s: writer.Write(s); break;
                case float f: writer.Write(f); break;
                case double d: writer.Write(d); break;
                case int i: writer.Write(i); break;
                case long l: writer.Write(l); break;
                case uint u: writer.Write(u); break;
                case ulong ul: writer.Write(ul); break;
                case bool b: writer.Write(b); break;
                default: throw new InvalidOperationException($"key value of type {value?.GetType().Name} cannot be saved");
            }
        }
    }

    private static KeyValues? ReadKeyValues(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
            return null;
        int code = reader.ReadInt32(), count = reader.ReadInt32();
        if (code < 0 || code >= KeyValueTypes.Length || count < 0 || count > reader.BaseStream.Length)
            throw new InvalidOperationException($"key values of type code {code}, count {count}");
        Array values = code switch
        {
            0 => Read(count, reader.ReadString),
            1 => Read(count, reader.ReadSingle),
            2 => Read(count, reader.ReadDouble),
            3 => Read(count, reader.ReadInt32),
            4 => Read(count, reader.ReadInt64),
            5 => Read(count, reader.ReadUInt32),
            6 => Read(count, reader.ReadUInt64),
            _ => Read(count, reader.ReadBoolean),
        };
        return new KeyValues(KeyValueTypes[code], values);
    }

    private static T[] Read<T>(int count, Func<T> read) => Enumerable.Range(0, count).Select(_ => read()).ToArray();

    private static T ReadOrCorrupt<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw Corrupt("it is truncated", e);
        }
    }

    private static InvalidDataException Corrupt(string why, Exception? inner = null) =>
        new($"The DVN model cannot be loaded: {why}. The file is not a complete model written by Microsoft.ML.Dvn.", inner);
}
