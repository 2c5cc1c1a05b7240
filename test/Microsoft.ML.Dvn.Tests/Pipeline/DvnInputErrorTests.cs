using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

[TestClass]
public sealed class DvnInputErrorTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IEstimator<ITransformer> Keys() =>
        Ml.Transforms.Conversion.MapValueToKey("Task").Append(Ml.Transforms.Conversion.MapValueToKey("Label"));

    private static DvnEstimator Trainer(int epochs = 1) => Ml.MulticlassClassification.Trainers.Dvn(MlNetTasks.Options(epochs));

    [TestMethod]
    public void AMissingFeaturesColumnIsNamedWithTheColumnsPresent()
    {
        var data = Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(5, 1).Select(r => new { Pixels = r.Features, r.Label, r.Task }));
        var keyed = Keys().Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer().Fit(keyed));

        StringAssert.Contains(error.Message, "no features column 'Features'");
        StringAssert.Contains(error.Message, "Pixels");
    }

    [TestMethod]
    public void ALabelThatIsNotAKeyIsRejectedUpFrontByTheEstimatorSchemaCheck()
    {
        var data = Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(5, 1));
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Task").Append(Trainer());

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => pipeline.GetOutputSchema(Shapes.Of(data.Schema)));
        StringAssert.Contains(error.Message, "label column 'Label'");
        StringAssert.Contains(error.Message, "expected a key type (use MapValueToKey)");

        var fitError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => pipeline.Fit(data));
        StringAssert.Contains(fitError.Message, "label column 'Label'");
    }

    [TestMethod]
    public void AVariableSizeFeatureVectorIsRejected()
    {
        var rows = MlNetTasks.Rows(5, 1).Select(r => new VariableRow { Features = r.Features, Label = r.Label, Task = r.Task });
        var data = Ml.Data.LoadFromEnumerable(rows);
        var keyed = Keys().Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer().Fit(keyed));
        StringAssert.Contains(error.Message, "'Features' is a vector of Single of variable size");

        var shapeError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer().GetOutputSchema(Shapes.Of(keyed.Schema)));
        StringAssert.Contains(shapeError.Message, "features column 'Features'");
        StringAssert.Contains(shapeError.Message, "known-size vector of Single");
    }

    [TestMethod]
    public void ABudgetColumnOfTextIsRejected()
    {
        var data = Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(5, 1).Select(r => new TextBudgetRow { Features = r.Features, Label = r.Label, Task = r.Task, MemoryBudget = "lots" }));
        var keyed = Keys().Fit(data).Transform(data);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer().GetOutputSchema(Shapes.Of(keyed.Schema)));
        StringAssert.Contains(error.Message, "memory budget column 'MemoryBudget'");
        StringAssert.Contains(error.Message, "Single, Double, Int32 or Int64");
    }

    [TestMethod]
    public void NoRowsATaskWithoutRowsNanFeaturesAndAMissingLabelFailTraining()
    {
        var rows = MlNetTasks.Rows(20, 1);
        var keys = Keys().Fit(Ml.Data.LoadFromEnumerable(rows));

        var empty = keys.Transform(Ml.Data.LoadFromEnumerable(new List<TaskRow>()));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => Trainer().Fit(empty)).Message, "no rows");

        var withoutGamma = keys.Transform(Ml.Data.LoadFromEnumerable(rows.Where(r => r.Task != "gamma")));
        var noRows = Assert.ThrowsExactly<InvalidOperationException>(() => Trainer().Fit(withoutGamma));
        StringAssert.Contains(noRows.Message, "tasks 'gamma' (key 3) have no training rows");

        var nan = rows.Select(r => new TaskRow { Features = (float[])r.Features.Clone(), Label = r.Label, Task = r.Task }).ToList();
        nan[7].Features[4] = float.NaN;
        var nanError = Assert.ThrowsExactly<InvalidOperationException>(() => Trainer().Fit(keys.Transform(Ml.Data.LoadFromEnumerable(nan))));
        StringAssert.Contains(nanError.Message, "Column 'Features', row 7: value NaN at index 4");

        var unknownLabel = rows.Select(r => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task }).ToList();
        unknownLabel[5].Label = "alpha:never-seen";
        var labelError = Assert.ThrowsExactly<InvalidOperationException>(() => Trainer().Fit(keys.Transform(Ml.Data.LoadFromEnumerable(unknownLabel))));
        StringAssert.Contains(labelError.Message, "Column 'Label', row 5: the label key is missing (0)");
    }

    [TestMethod]
    public void PredictionFailsClearlyForAMissingTaskKeyAnInfiniteFeatureAndTaskKeysOfAnotherMapping()
    {
        var rows = MlNetTasks.Rows(20, 1);
        var model = MlNetTasks.Pipeline(Ml, MlNetTasks.Options(epochs: 1)).Fit(Ml.Data.LoadFromEnumerable(rows));

        var unknown = rows.Take(3).Select(r => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task }).ToList();
        unknown[2].Task = "delta";
        var missing = Assert.ThrowsExactly<InvalidOperationException>(() => Predictions.Of(model.Transform(Ml.Data.LoadFromEnumerable(unknown))));
        StringAssert.Contains(missing.Message, "Column 'Task', row 2: the task key is missing (0)");

        var infinite = rows.Take(4).Select(r => new TaskRow { Features = (float[])r.Features.Clone(), Label = r.Label, Task = r.Task }).ToList();
        infinite[3].Features[2] = float.PositiveInfinity;
        var infiniteError = Assert.ThrowsExactly<InvalidOperationException>(() => Predictions.Of(model.Transform(Ml.Data.LoadFromEnumerable(infinite))));
        StringAssert.Contains(infiniteError.Message, "Column 'Features', row 3: value Infinity at index 2");

        var dvn = MlNetTasks.DvnOf(model);
        var otherKeys = Ml.Transforms.Conversion.MapValueToKey("Task").Append(Ml.Transforms.Conversion.MapValueToKey("Label"))
            .Fit(Ml.Data.LoadFromEnumerable(rows.Where(r => r.Task != "gamma")));
        var twoTasks = otherKeys.Transform(Ml.Data.LoadFromEnumerable(rows.Where(r => r.Task != "gamma")));
        var mismatch = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => dvn.Transform(twoTasks));
        StringAssert.Contains(mismatch.Message, "has 2 keys, but the model was trained with 3");
    }

    [TestMethod]
    public void BadOptionsAreRejectedWhenTheEstimatorIsCreated()
    {
        var options = MlNetTasks.Options();
        options.BatchSize = 1;
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.MulticlassClassification.Trainers.Dvn(options));
        StringAssert.Contains(error.Message, "DvnEstimator.Options.BatchSize is 1; expected at least 2");

        options = MlNetTasks.Options();
        options.NumberOfUnits = 40;
        var data = Keys().Fit(Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(10, 1))).Transform(Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(10, 1)));
        var units = Assert.ThrowsExactly<ArgumentException>(() => Ml.MulticlassClassification.Trainers.Dvn(options).Fit(data));
        StringAssert.Contains(units.Message, "40 units do not fit the narrowest hidden layer");
    }

    [TestMethod]
    public void CudaWithoutADeviceFailsWithAnExplanation()
    {
        if (TorchSharp.torch.cuda.is_available())
            Assert.Inconclusive("this machine has CUDA");
        var options = MlNetTasks.Options();
        options.Device = DvnDevice.Cuda;
        var data = Keys().Fit(Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(10, 1))).Transform(Ml.Data.LoadFromEnumerable(MlNetTasks.Rows(10, 1)));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Ml.MulticlassClassification.Trainers.Dvn(options).Fit(data));

        StringAssert.Contains(error.Message, "TorchSharp finds no CUDA device");
        StringAssert.Contains(error.Message, "-p:DvnTorchBackend=cuda");
    }

    private sealed class VariableRow
    {
        [VectorType]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";
    }

    private sealed class TextBudgetRow
    {
        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";

        public string MemoryBudget { get; set; } = "";
    }
}
