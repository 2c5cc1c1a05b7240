using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// Images as ML.NET users bring them: PNG files on disk, LoadImages -> ResizeImages -> ExtractPixels (planar, one
/// channel, scaled to [0, 1]) -> the CNN; saved, loaded and predicted.
/// </summary>
[TestClass]
public sealed class ImageFilePipelineTests
{
    private const int Side = 12;

    [TestMethod]
    public void ACnnTrainsOnPngFilesThroughMlNetsImageTransformsAndPredictsTheSameAfterLoading()
    {
        string folder = Directory.CreateTempSubdirectory("dvn-images-").FullName;
        try
        {
            var train = WriteImages(folder, "train", 120, seed: 1);
            var test = WriteImages(folder, "test", 30, seed: 2);
            var ml = new MLContext(seed: 1);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Task")
                .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
                .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
                // The files are twice the CNN's size: resizing is part of the pipeline.
                .Append(ml.Transforms.ResizeImages("Image", Side, Side))
                .Append(ml.Transforms.ConvertToGrayscale("Image"))
                .Append(ml.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red,
                    interleavePixelColors: false, scaleImage: 1f / 255))
                .Append(ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options
                {
                    Architecture = DvnArchitecture.Cnn(Side, Side, 1, new[] { 6, 12 }, new[] { 12 }),
                    NumberOfEpochs = 12,
                    BatchSize = 16,
                    LearningRate = 0.01,
                    Seed = 1,
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

            var model = pipeline.Fit(ml.Data.LoadFromEnumerable(train));
            var testData = ml.Data.LoadFromEnumerable(test);
            var predicted = MlNetTasks.Column<ReadOnlyMemory<char>>(model.Transform(testData), "PredictedLabel").Select(l => l.ToString()).ToArray();
            double accuracy = predicted.Zip(test, (p, row) => p == row.Label).Average(right => right ? 1.0 : 0.0);
            Assert.IsTrue(accuracy > 0.6, $"accuracy {accuracy:P1} on held-out files (chance is about 1/3)");

            string zip = Path.Combine(folder, "model.zip");
            ml.Model.Save(model, ml.Data.LoadFromEnumerable(train).Schema, zip);
            var loaded = new MLContext().Model.Load(zip, out _);
            var again = MlNetTasks.Vectors(loaded.Transform(testData), "Score");
            var before = MlNetTasks.Vectors(model.Transform(testData), "Score");
            for (int i = 0; i < before.Count; i++)
                CollectionAssert.AreEqual(before[i], again[i]);

            using var engine = ml.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(loaded);
            Assert.AreEqual(predicted[0], engine.Predict(test[0]).PredictedLabel);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Writes generated images (the three tasks of GeneratedImages, a bright square on noise) as grey PNG files of twice
    // the CNN's size, and returns their rows.
    private static List<ImageRow> WriteImages(string folder, string prefix, int perTask, int seed)
    {
        var rows = new List<ImageRow>();
        for (int task = 1; task <= 3; task++)
        {
            var (pixels, labels) = GeneratedImages.Rows(task, perTask, Side, seed);
            for (int i = 0; i < perTask; i++)
            {
                string name = $"{prefix}-t{task}-{i}.png";
                var bgra = new byte[4 * 4 * Side * Side];
                for (int y = 0; y < 2 * Side; y++)
                    for (int x = 0; x < 2 * Side; x++)
                    {
                        byte grey = (byte)Math.Round(255 * pixels[i][y / 2 * Side + x / 2]);
                        int at = 4 * (y * 2 * Side + x);
                        (bgra[at], bgra[at + 1], bgra[at + 2], bgra[at + 3]) = (grey, grey, grey, 255);
                    }
                using var image = MLImage.CreateFromPixels(2 * Side, 2 * Side, MLPixelFormat.Bgra32, bgra);
                image.Save(Path.Combine(folder, name));
                rows.Add(new ImageRow { ImagePath = name, Task = $"task{task}", Label = $"task{task}:{labels[i]}" });
            }
        }
        return rows;
    }

    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";

        public string Task { get; set; } = "";

        public string Label { get; set; } = "";

        public double MemoryBudget { get; set; } = double.NaN;
    }

    public sealed class ImagePrediction
    {
        public string PredictedLabel { get; set; } = "";
    }
}
