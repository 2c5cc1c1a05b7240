using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Persistence;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Fuzz;

/// <summary>The seed inputs: small valid models (MLP, CNN, an extracted level) written by the library, in format 2 and 1.</summary>
internal static class Seeds
{
    // The fields format 1 stored, in its order (the sections' Format1 readers): format 2 added the others, which a
    // format-1 reader would take for the next section's bytes.
    private static readonly Dictionary<string, string[]> Format1Fields = new()
    {
        [ColumnsSection.Name] = new[] { "features", "label", "task", "memoryBudget", "score", "predictedLabel", "level", "parameterCount" },
        [PredictionSection.Name] = new[] { "batchSize", "device" },
        [TrainingSection.Name] = new[] { "numberOfEpochs", "batchSize", "learningRate", "weightDecay", "seed", "rowsPerTask" },
    };

    public static IEnumerable<(string Name, byte[] Input)> Inputs()
    {
        var mlp = Model(DvnArchitecture.Mlp(4), inputSize: 3, classCounts: new[] { 2, 3 }, units: 2, levels: 2);
        var cnn = Model(DvnArchitecture.Cnn(4, 4, 1, new[] { 2 }, new[] { 2 }), inputSize: 16, classCounts: new[] { 2 }, units: 2, levels: 2);
        var extracted = Extracted(mlp, task: 2, level: 2);
        foreach (var (name, model) in new[] { ("mlp", mlp), ("cnn", cnn), ("extracted", extracted) })
        {
            var file = File(model);
            var payload = file[20..^32];
            yield return ($"{name}-format2", Input(0, BitConverter.GetBytes(2), payload));
            yield return ($"{name}-format1", Input(0, BitConverter.GetBytes(1), Format1(payload, model.Network.NumberOfTasks)));
        }
        yield return ("mlp-stream", Input(1, File(mlp)));
    }

    private static byte[] Input(byte mode, params byte[][] parts) => parts.Aggregate(new[] { mode }, (all, part) => all.Concat(part).ToArray());

    private static byte[] File(DvnModel model)
    {
        using var stream = new MemoryStream();
        DvnModelFormat.Write(model, stream);
        return stream.ToArray();
    }

    private static DvnModel Model(DvnArchitecture architecture, int inputSize, int[] classCounts, int units, int levels)
    {
        var allocation = new UnitAllocation(classCounts.Length, units, levels);
        var network = new DvnNetwork(architecture, inputSize, classCounts, allocation, seed: 1);
        int labelKeys = classCounts.Sum();
        var served = classCounts.Select((count, t) => new ServedTask(t + 1,
            Enumerable.Range(classCounts.Take(t).Sum() + 1, count).Select(k => (uint)k).ToArray(),
            Enumerable.Range(1, levels).Select(j => new LevelDescriptor(j, network.ParameterCount(t + 1, j), allocation.Units(t + 1, j).ToArray(),
                network.ActivationValuesPerRow(t + 1, j))).ToArray()))
            .ToArray();
        var labels = new KeyDomain(labelKeys, new KeyValues(TextDataViewType.Instance, Enumerable.Range(1, labelKeys).Select(k => $"class{k}").ToArray()));
        var tasks = new KeyDomain(classCounts.Length, new KeyValues(TextDataViewType.Instance, classCounts.Select((_, t) => $"task{t + 1}").ToArray()));
        var columns = new DvnColumnNames("Features", "Label", "Task", "MemoryBudget", "Score", "PredictedLabel", "Level", "ParameterCount");
        var training = new DvnTrainingInfo(2, 8, 0.01, 0, 1, classCounts.Select(_ => 10L).ToArray(),
            Enumerable.Repeat(1.0, levels).ToArray(), 0.5, DvnLearningRateSchedule.Cosine, DvnBatchOrder.Proportional, DvnTaskOrder.Affinity,
            Enumerable.Range(1, classCounts.Length).Reverse().ToArray());
        return new DvnModel(network, CPU, columns, labels, tasks, served, new PredictionSettings(16, DvnDevice.Cpu), training);
    }

    private static DvnModel Extracted(DvnModel model, int task, int level)
    {
        var network = model.Network.ExtractLevel(task, level);
        var served = model.Task(task);
        return new DvnModel(network, CPU, model.Columns, model.Labels, model.Tasks, new[] { served with { Levels = new[] { served.Levels[level - 1] } } },
            model.Prediction, model.Training);
    }

    // Format 1 is format 2 without section names and lengths; without the names, lengths and count of the settings
    // fields, and the fields added since; and without the architecture's unit order (its tasks sit on the units in key
    // order, as in the seed models).
    private static byte[] Format1(byte[] payload, int tasks)
    {
        using var input = new BinaryReader(new MemoryStream(payload));
        using var output = new MemoryStream();
        while (input.BaseStream.Position < payload.Length)
        {
            string section = input.ReadString();
            var contents = input.ReadBytes(input.ReadInt32());
            if (section == ArchitectureSection.Name)
                output.Write(contents.AsSpan(0, contents.Length - sizeof(int) * (1 + tasks)));
            else if (Format1Fields.TryGetValue(section, out var names))
            {
                var fields = SettingsFields(contents);
                foreach (string name in names)
                    output.Write(fields[name]);
            }
            else
                output.Write(contents);
        }
        return output.ToArray();
    }

    private static Dictionary<string, byte[]> SettingsFields(byte[] contents)
    {
        using var fields = new BinaryReader(new MemoryStream(contents));
        int count = fields.ReadInt32();
        var values = new Dictionary<string, byte[]>();
        for (int i = 0; i < count; i++)
            values.Add(fields.ReadString(), fields.ReadBytes(fields.ReadInt32()));
        return values;
    }
}
