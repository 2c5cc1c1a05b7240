using System.Text.Json;

namespace Microsoft.ML.Dvn.Samples;

/// <summary>
/// What a saved model was trained on, kept next to it (model.zip -> model.json), so that 'predict' can show it test
/// rows of the same data set and the same tasks.
/// </summary>
/// <param name="Data">fmnist or generated.</param>
/// <param name="Architecture">mlp or cnn.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="Seed">The training seed.</param>
/// <param name="TrainRowsPerTask">Training images of each task.</param>
internal sealed record ModelInfo(string Data, string Architecture, int Epochs, int Seed, int TrainRowsPerTask)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, ".json");

    public void Save(string modelPath) => File.WriteAllText(PathFor(modelPath), JsonSerializer.Serialize(this, Json));

    /// <summary>The description saved next to <paramref name="modelPath"/>; a missing model is named before its description.</summary>
    public static ModelInfo Load(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new UsageException($"{modelPath} does not exist. Train a model first with 'train' (it writes dvn-model.zip), " +
                                     "or give the path of one with --model.");
        string path = PathFor(modelPath);
        if (!File.Exists(path))
            throw new UsageException($"{path} is missing: it tells which data {modelPath} was trained on. " +
                                     "Use a model saved by this program's 'train' or 'extract' command, which write it next to the model.");
        return JsonSerializer.Deserialize<ModelInfo>(File.ReadAllText(path), Json)
               ?? throw new InvalidDataException($"{path} is empty.");
    }
}
