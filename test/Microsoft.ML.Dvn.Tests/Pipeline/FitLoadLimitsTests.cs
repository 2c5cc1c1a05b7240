using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// Fit and the model reader apply the same limits: a model that trains saves and loads, and a setting the reader
/// would reject as damaged is refused by the options or by Fit, before training, naming the option.
/// </summary>
[TestClass]
public sealed class FitLoadLimitsTests
{
    private const int WideFeatures = 5000;

    // The reader's rule, restated: at most 65,536 rows and 2^28 buffered values (features + the widest task's classes a row).
    private static readonly int LargestWideBatch = (int)((1L << 28) / (WideFeatures + 2));

    private static readonly MLContext Ml = new(seed: 1);

    [TestMethod]
    public void APredictionBatchAboveTheReadersRowLimitIsRefusedByTheOptions()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            Ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(4), PredictionBatchSize = 65537 }));

        StringAssert.Contains(error.Message, "DvnEstimator.Options.PredictionBatchSize is 65537; expected 1 to 65536");
    }

    [TestMethod]
    public void APredictionBatchAboveTheReadersValueLimitForTheseFeaturesIsRefusedByFitBeforeTraining()
    {
        int epochs = 0;
        var options = Options(65536);
        options.EpochCompleted = _ => epochs++;

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Pipeline(options).Fit(WideData()));

        StringAssert.Contains(error.Message, $"DvnEstimator.Options.PredictionBatchSize is 65536; for {WideFeatures} features and 2 classes expected 1 to {LargestWideBatch} rows");
        Assert.AreEqual(0, epochs, "Fit trained before refusing");
    }

    [TestMethod]
    public void TheLargestPredictionBatchFitAcceptsSavesAndLoads()
    {
        var data = WideData();
        var model = Pipeline(Options(LargestWideBatch)).Fit(data);
        using var file = new MemoryStream();
        Ml.Model.Save(model, data.Schema, file);
        file.Position = 0;

        var loaded = Ml.Model.Load(file, out _);

        Assert.AreEqual(LargestWideBatch, TestData.MlNetTasks.DvnOf(loaded).Model.Prediction.BatchSize);
    }

    private static DvnEstimator.Options Options(int predictionBatchSize) => new()
    {
        Architecture = DvnArchitecture.Mlp(4),
        NumberOfEpochs = 1,
        BatchSize = 4,
        PredictionBatchSize = predictionBatchSize,
    };

    private static IEstimator<ITransformer> Pipeline(DvnEstimator.Options options) =>
        Ml.Transforms.Conversion.MapValueToKey("Task").Append(Ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(Ml.MulticlassClassification.Trainers.Dvn(options));

    private static IDataView WideData() => Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 16).Select(i => new WideRow
    {
        Features = Enumerable.Range(0, WideFeatures).Select(j => (float)Math.Sin(i * 7 + j)).ToArray(),
        Task = i % 2 == 0 ? "a" : "b",
        Label = $"{(i % 2 == 0 ? "a" : "b")}{i / 2 % 2}",
    }));

    private sealed class WideRow
    {
        [VectorType(WideFeatures)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Task { get; set; } = "";

        public string Label { get; set; } = "";
    }
}
