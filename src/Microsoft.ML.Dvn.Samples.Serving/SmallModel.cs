using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// A small model of the samples' shape, for a service started without one: 28 x 28 = 784 features, the fmnist-3tasks
/// task names (fine: ten classes; coarse: four groups of them; inverted: the ten classes of 1 - pixel), the samples'
/// pipeline (Task and Label to keys, the DVN, PredictedLabel back to text), trained for seconds on generated images:
/// each class a fixed random template, each image its class's template plus noise.
/// </summary>
public static class SmallModel
{
    public const int FeatureLength = 784;

    public static readonly string[] Tasks = { "fine", "coarse", "inverted" };

    private static readonly int[] CoarseGroupOfClass = { 0, 1, 0, 0, 0, 2, 0, 2, 3, 2 };

    /// <summary>Trains the model and saves it to <paramref name="path"/> (its folder is created).</summary>
    /// <param name="path">Where to save the ML.NET zip.</param>
    /// <param name="seed">Fixes the data and the weights: another seed gives another model (another checksum).</param>
    /// <param name="rowsPerTask">Training images of each task.</param>
    public static void Train(string path, int seed = 1, int rowsPerTask = 300)
    {
        var ml = new MLContext(seed);
        var rows = Rows(rowsPerTask, seed);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options
            {
                Architecture = DvnArchitecture.Mlp(96, 96),
                NumberOfEpochs = 2,
                Seed = seed,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        ml.Model.Save(model, data.Schema, path);
    }

    /// <summary>Generated rows of every task, tasks interleaved.</summary>
    public static List<Row> Rows(int rowsPerTask, int seed)
    {
        var templates = new Random(2019);
        var classes = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, FeatureLength).Select(_ => templates.NextSingle()).ToArray()).ToArray();
        var random = new Random(seed);
        var rows = new List<Row>();
        for (int i = 0; i < rowsPerTask * Tasks.Length; i++)
        {
            string task = Tasks[i % Tasks.Length];
            int label = random.Next(10);
            var image = classes[label].Select(v => Math.Clamp(v + 0.3f * (random.NextSingle() - 0.5f), 0f, 1f)).ToArray();
            rows.Add(task switch
            {
                "fine" => new Row { Task = task, Features = image, Label = $"fine:class {label}" },
                "coarse" => new Row { Task = task, Features = image, Label = $"coarse:group {CoarseGroupOfClass[label] + 1}" },
                _ => new Row { Task = task, Features = image.Select(v => 1 - v).ToArray(), Label = $"inverted:class {label}" },
            });
        }
        return rows;
    }

    /// <summary>A training row: the samples' columns.</summary>
    public sealed class Row
    {
        [VectorType(FeatureLength)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";

        public double MemoryBudget { get; set; } = double.NaN;
    }
}
