using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// A DVN model file written field by field, independently of the library's writer, after the layout documented in
/// DvnModelFormat (format 2, or format 1 when <see cref="Version"/> is 1): any field can hold any value, and the
/// SHA-256 is recomputed, as an attacker would.
/// <see cref="Valid"/> is a small consistent model (MLP [4] on 3 features, two tasks of 2 and 3 classes, 2 units,
/// 2 levels); every other model here is it with one field changed.
/// </summary>
internal sealed record CraftedModel
{
    public string[] Columns { get; init; } = { "Features", "Label", "Task", "MemoryBudget", "Score", "PredictedLabel", "Level", "ParameterCount" };

    public int PredictionBatchSize { get; init; } = 16;
    public int Device { get; init; } = 1;

    public int Epochs { get; init; } = 3;
    public int TrainingBatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 0.01;
    public double WeightDecay { get; init; }
    public long Seed { get; init; } = 7;
    public long[] RowsPerTask { get; init; } = { 20, 30 };
    /// <summary>Training fields written after rowsPerTask (the training methods; none: a file written before them).</summary>
    public (string Name, Action<BinaryWriter> Value)[] TrainingMethods { get; init; } = Array.Empty<(string, Action<BinaryWriter>)>();

    public int Kind { get; init; }
    public int ImageHeight { get; init; }
    public int ImageWidth { get; init; }
    public int ImageChannels { get; init; }
    public int[] ConvolutionChannels { get; init; } = Array.Empty<int>();
    public int[] HiddenLayerSizes { get; init; } = { 4 };
    public int InputSize { get; init; } = 3;
    public int Units { get; init; } = 2;
    public int Levels { get; init; } = 2;
    public int[] ClassCounts { get; init; } = { 2, 3 };
    /// <summary>Format 2's architecture.unitOrder; null: the tasks in their order.</summary>
    public int[]? UnitOrder { get; init; }

    public int LabelKeys { get; init; } = 5;
    public string[]? LabelValues { get; init; } = { "a0", "a1", "b0", "b1", "b2" };
    public int TaskKeys { get; init; } = 2;
    public string[]? TaskValues { get; init; } = { "alpha", "beta" };

    public int[] ServedKeys { get; init; } = { 1, 2 };
    public int[][] Classes { get; init; } = { new[] { 1, 2 }, new[] { 3, 4, 5 } };
    public Level[][] TaskLevels { get; init; } = Array.Empty<Level[]>();

    public Tensor[] Weights { get; init; } = Array.Empty<Tensor>();

    /// <summary>List counts written instead of the list's length, by field name (e.g. "training.rowsPerTask").</summary>
    public Dictionary<string, int> Counts { get; init; } = new();

    /// <summary>Section contents written instead of the fields, by section name.</summary>
    public Dictionary<string, byte[]> Sections { get; init; } = new();

    /// <summary>Bytes after the last section, inside the checksummed payload.</summary>
    public byte[] AfterPayload { get; init; } = Array.Empty<byte>();

    public int Version { get; init; } = 2;

    /// <summary>Written instead of the payload's length.</summary>
    public long? PayloadLength { get; init; }

    public sealed record Level(int Number, long ParameterCount, int[] Units);

    public sealed record Tensor(string Name, int[] Shape, float[] Values);

    /// <summary>The small consistent model; its levels and weights come from a network of that shape.</summary>
    public static CraftedModel Valid { get; } = new CraftedModel().Consistent();

    /// <summary>The same model with level <paramref name="level"/> of network task <paramref name="task"/> (0-based) changed.</summary>
    public CraftedModel WithLevel(int task, int level, Func<Level, Level> change) => this with
    {
        TaskLevels = TaskLevels.Select((levels, t) => levels.Select((l, j) => t == task && j == level ? change(l) : l).ToArray()).ToArray(),
    };

    /// <summary>The same model with tensor <paramref name="index"/> changed.</summary>
    public CraftedModel WithWeight(int index, Func<Tensor, Tensor> change) => this with
    {
        Weights = Weights.Select((w, i) => i == index ? change(w) : w).ToArray(),
    };

    /// <summary>The same model with a list count written as <paramref name="count"/>.</summary>
    public CraftedModel WithCount(string field, int count) => this with { Counts = new Dictionary<string, int>(Counts) { [field] = count } };

    /// <summary>The same model with a section's contents replaced.</summary>
    public CraftedModel WithSection(string name, byte[] contents) => this with { Sections = new Dictionary<string, byte[]>(Sections) { [name] = contents } };

    /// <summary>The model stream: header, version, payload length, payload, SHA-256 of the payload.</summary>
    public byte[] File()
    {
        var payload = Payload();
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(Encoding.ASCII.GetBytes("DVNMODEL"));
        writer.Write(Version);
        writer.Write(PayloadLength ?? payload.Length);
        writer.Write(payload);
        writer.Write(SHA256.HashData(payload));
        writer.Flush();
        return stream.ToArray();
    }

    public byte[] Payload()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        Section(writer, "columns", w => NamedFields(w, Columns.Select((name, i) => (ColumnFields[i], (Action<BinaryWriter>)(v => v.Write(name)))).ToArray()));
        Section(writer, "prediction", w => NamedFields(w, ("batchSize", v => v.Write(PredictionBatchSize)), ("device", v => v.Write(Device))));
        Section(writer, "training", w => NamedFields(w, new (string, Action<BinaryWriter>)[] {
            ("numberOfEpochs", v => v.Write(Epochs)), ("batchSize", v => v.Write(TrainingBatchSize)),
            ("learningRate", v => v.Write(LearningRate)), ("weightDecay", v => v.Write(WeightDecay)), ("seed", v => v.Write(Seed)), ("rowsPerTask", v => List(v, "training.rowsPerTask", RowsPerTask, x => v.Write(x))) }
                .Concat(TrainingMethods).ToArray()));
        Section(writer, "architecture", w =>
        {
            w.Write(Kind);
            w.Write(ImageHeight);
            w.Write(ImageWidth);
            w.Write(ImageChannels);
            List(w, "architecture.convolutionChannels", ConvolutionChannels, w.Write);
            List(w, "architecture.hiddenLayerSizes", HiddenLayerSizes, w.Write);
            w.Write(InputSize);
            w.Write(Units);
            w.Write(Levels);
            List(w, "architecture.classCounts", ClassCounts, w.Write);
            if (Version >= 2)
                List(w, "architecture.unitOrder", UnitOrder ?? Enumerable.Range(1, ClassCounts.Length).ToArray(), w.Write);
        });
        Section(writer, "keys", w =>
        {
            Keys(w, "keys.labels", LabelKeys, LabelValues);
            Keys(w, "keys.tasks", TaskKeys, TaskValues);
        });
        Section(writer, "tasks", w =>
        {
            List(w, "tasks.servedKeys", ServedKeys, w.Write);
            for (int t = 0; t < Classes.Length; t++)
                List(w, $"tasks.classes[{t}]", Classes[t], w.Write);
            for (int t = 0; t < TaskLevels.Length; t++)
                for (int j = 0; j < TaskLevels[t].Length; j++)
                {
                    var level = TaskLevels[t][j];
                    w.Write(level.Number);
                    w.Write(level.ParameterCount);
                    List(w, $"tasks.levels[{t}][{j}].units", level.Units, w.Write);
                }
        });
        Section(writer, "weights", w =>
        {
            List(w, "weights.count", Weights, tensor =>
            {
                w.Write(tensor.Name);
                List(w, $"weights.shape", tensor.Shape, w.Write);
                foreach (float value in tensor.Values)
                    w.Write(value);
            });
        });
        writer.Write(AfterPayload);
        writer.Flush();
        return stream.ToArray();
    }

    private static readonly string[] ColumnFields = { "features", "label", "task", "memoryBudget", "score", "predictedLabel", "level", "parameterCount" };

    // Format 1 has no section names and lengths, and its settings fields are stored by position, without names.
    private bool Format1 => Version == 1;

    private void Section(BinaryWriter writer, string name, Action<BinaryWriter> contents)
    {
        var bytes = Sections.TryGetValue(name, out var replaced) ? replaced : Bytes(contents);
        if (!Format1)
        {
            writer.Write(name);
            writer.Write(bytes.Length);
        }
        writer.Write(bytes);
    }

    private void NamedFields(BinaryWriter writer, params (string Name, Action<BinaryWriter> Value)[] fields)
    {
        if (!Format1)
            writer.Write(fields.Length);
        foreach (var (name, value) in fields)
        {
            var bytes = Bytes(value);
            if (!Format1)
            {
                writer.Write(name);
                writer.Write(bytes.Length);
            }
            writer.Write(bytes);
        }
    }

    private void List<T>(BinaryWriter writer, string field, IReadOnlyList<T> values, Action<T> write)
    {
        writer.Write(Counts.TryGetValue(field, out int count) ? count : values.Count);
        foreach (var value in values)
            write(value);
    }

    private void Keys(BinaryWriter writer, string field, int count, string[]? values)
    {
        writer.Write(count);
        writer.Write(values is not null);
        if (values is null)
            return;
        writer.Write(0);
        List(writer, $"{field}.values", values, writer.Write);
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        write(writer);
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>This MLP's (or, with <see cref="Kind"/> 1, this CNN's) shape with the levels and weights of a network of that shape.</summary>
    public CraftedModel Consistent()
    {
        var model = this;
        var allocation = new UnitAllocation(model.ClassCounts.Length, model.Units, model.Levels);
        var architecture = model.Kind == 1
            ? DvnArchitecture.Cnn(model.ImageHeight, model.ImageWidth, model.ImageChannels, model.ConvolutionChannels, model.HiddenLayerSizes)
            : DvnArchitecture.Mlp(model.HiddenLayerSizes);
        using var network = new DvnNetwork(architecture, model.InputSize, model.ClassCounts, allocation, seed: 3);
        var levels = Enumerable.Range(1, allocation.NumberOfTasks).Select(t => Enumerable.Range(1, allocation.NumberOfLevels)
            .Select(j => new Level(j, network.ParameterCount(t, j), allocation.Units(t, j).ToArray())).ToArray()).ToArray();
        var weights = network.named_parameters().Select(p => (p.name, (TorchSharp.torch.Tensor)p.parameter)).Concat(network.named_buffers())
            .Select(p => new Tensor(p.Item1, p.Item2.shape.Select(d => (int)d).ToArray(), p.Item2.detach().contiguous().data<float>().ToArray()))
            .ToArray();
        return model with { TaskLevels = levels, Weights = weights };
    }
}
