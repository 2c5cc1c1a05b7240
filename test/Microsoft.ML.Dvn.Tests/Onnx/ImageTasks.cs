using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Onnx;

/// <summary>The generated image tasks (8 x 8 grey) as ML.NET rows, and a small CNN pipeline around the DVN.</summary>
internal static class ImageTasks
{
    public const int Size = 8;

    public static readonly string[] TaskNames = { "quadrant", "size", "brightness" };

    /// <summary><paramref name="rowsPerTask"/> rows of each of <paramref name="tasks"/>, tasks interleaved.</summary>
    public static List<ImageRow> Rows(int rowsPerTask, int seed, params int[] tasks)
    {
        var perTask = tasks.Select(t => GeneratedImages.Rows(t, rowsPerTask, Size, seed)).ToArray();
        var rows = new List<ImageRow>();
        for (int i = 0; i < rowsPerTask; i++)
            for (int t = 0; t < tasks.Length; t++)
                rows.Add(new ImageRow
                {
                    Features = perTask[t].Pixels[i],
                    Label = $"{TaskNames[tasks[t] - 1]}:{perTask[t].Labels[i]}",
                    Task = TaskNames[tasks[t] - 1],
                });
        return rows;
    }

    /// <summary>MapValueToKey(Task, Label) -> Dvn (CNN) -> MapKeyToValue(PredictedLabel).</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options
            {
                Architecture = DvnArchitecture.Cnn(Size, Size, 1, new[] { 6, 12 }, new[] { 12 }),
                NumberOfEpochs = 3,
                BatchSize = 32,
                LearningRate = 0.01,
                Seed = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
}

/// <summary>A row of the generated image tasks as ML.NET sees it.</summary>
public sealed class ImageRow
{
    [VectorType(ImageTasks.Size * ImageTasks.Size)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public string Label { get; set; } = "";

    public string Task { get; set; } = "";

    public double MemoryBudget { get; set; } = double.NaN;
}
