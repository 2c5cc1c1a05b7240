using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Samples.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// Images from files, as ML.NET users bring them: writes the fmnist-3tasks images of every task as PNG files, then
/// trains the CNN through LoadImages -> ResizeImages -> ConvertToGrayscale -> ExtractPixels, tests every (task, level)
/// on test files, saves the pipeline, loads it in a fresh MLContext and predicts a few files with a PredictionEngine.
/// </summary>
internal static class ImagesCommand
{
    public const string Usage =
        "images [--data fmnist|generated] [--rows N] [--epochs N] [--seed S] [--dir DIR] [--out model.zip]\n" +
        "    Writes N training and N/4 test images per task as 56 x 56 PNG files in DIR, trains the CNN on the files\n" +
        "    (resized to 28 x 28, one channel, pixels / 255) and tests it. Defaults: 2,000 images, 2 epochs, seed 1, dvn-images/.";

    private const int FileSide = 2 * ImageSet.Side;

    public static void Run(Arguments args)
    {
        string data = DataSource.Choose(args.Choice("data", DataSource.FashionMnistName, DataSource.GeneratedName));
        int rows = args.Integer("rows", minimum: 20) ?? 2_000;
        int epochs = args.Integer("epochs", minimum: 1) ?? 2;
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        string folder = Path.GetFullPath(args.Text("dir") ?? "dvn-images");
        string output = args.Text("out") ?? Path.Combine(folder, "model.zip");
        args.RejectUnknown();

        var scenario = Progress.Step(DataSource.Describe(data), () => DataSource.Load(data));
        Directory.CreateDirectory(folder);
        var tasks = scenario.TaskNames;
        var train = Progress.Step($"Writing {rows:N0} training images per task to {folder}",
            () => tasks.SelectMany(t => Write(folder, "train", t, scenario.TrainRows(t, rows))).ToList());
        var test = Progress.Step($"Writing {rows / 4:N0} test images per task",
            () => tasks.SelectMany(t => Write(folder, "test", t, scenario.TestRows(t, rows / 4))).ToList());

        var ml = new MLContext(seed);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.Transforms.LoadImages("Image", folder, nameof(ImageFileRow.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", ImageSet.Side, ImageSet.Side))
            .Append(ml.Transforms.ConvertToGrayscale("Image"))
            // The CNN reads channel-major (CHW) floats: planar extraction (not interleaved), one channel, scaled to [0, 1].
            .Append(ml.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red,
                interleavePixelColors: false, scaleImage: 1f / 255))
            .Append(ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options
            {
                Architecture = Architectures.Full(Architectures.Cnn),
                NumberOfEpochs = epochs,
                Seed = seed,
                EpochCompleted = Progress.Epochs("DVN", tasks),
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = Progress.Step("Training the CNN on the image files", () => pipeline.Fit(ml.Data.LoadFromEnumerable(train)));
        var levels = Progress.Step("Testing every (task, level) on the test files", () => model.EvaluateDvnLevels(ml.Data.LoadFromEnumerable(test)));
        LevelTable.Print(levels, tasks);

        ml.Model.Save(model, ml.Data.LoadFromEnumerable(train).Schema, output);
        var loaded = new MLContext().Model.Load(output, out _);
        using var engine = ml.Model.CreatePredictionEngine<ImageFileRow, TaskPrediction>(loaded);
        Console.WriteLine($"Saved {output} ({new FileInfo(output).Length:N0} bytes); loaded in a new MLContext, it predicts:");
        foreach (var row in tasks.Select(t => test.First(r => r.Task == t)))
        {
            var prediction = engine.Predict(row);
            Console.WriteLine($"  {row.ImagePath,-22} {row.Label,-22} -> {prediction.PredictedLabel,-22} (level {prediction.Level}, {prediction.Score.Max():0.0%})");
        }
    }

    private static IEnumerable<ImageFileRow> Write(string folder, string part, string task, IEnumerable<TaskRow> rows) =>
        rows.Select((row, i) =>
        {
            string name = $"{part}-{task}-{i:D5}.png";
            using var image = MLImage.CreateFromPixels(FileSide, FileSide, MLPixelFormat.Bgra32, Bgra(row.Features));
            image.Save(Path.Combine(folder, name));
            return new ImageFileRow { ImagePath = name, Task = task, Label = row.Label };
        }).ToList();

    // Each pixel of the 28 x 28 image becomes a 2 x 2 block of grey in the file, so that the pipeline has something to resize.
    private static byte[] Bgra(float[] pixels)
    {
        var bgra = new byte[4 * FileSide * FileSide];
        for (int y = 0; y < FileSide; y++)
            for (int x = 0; x < FileSide; x++)
            {
                byte grey = (byte)Math.Round(255 * Math.Clamp(pixels[y / 2 * ImageSet.Side + x / 2], 0, 1));
                int at = 4 * (y * FileSide + x);
                (bgra[at], bgra[at + 1], bgra[at + 2], bgra[at + 3]) = (grey, grey, grey, 255);
            }
        return bgra;
    }

    /// <summary>An image file of one task, as the pipeline reads it.</summary>
    internal sealed class ImageFileRow
    {
        public string ImagePath { get; set; } = "";

        public string Task { get; set; } = "";

        public string Label { get; set; } = "";

        public double MemoryBudget { get; set; } = double.NaN;
    }
}
