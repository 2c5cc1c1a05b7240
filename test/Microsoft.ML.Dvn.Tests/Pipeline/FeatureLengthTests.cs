using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// ML.NET builds a feature vector from the actual array, whatever [VectorType(N)] says; a vector of another length
/// must fail with the column, row, found and expected length, never be padded with a previous row's values.
/// </summary>
[TestClass]
public sealed class FeatureLengthTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IEstimator<ITransformer> Pipeline() =>
        Ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(Ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(Ml.MulticlassClassification.Trainers.Dvn(MlNetTasks.Options(epochs: 2)))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    private static TaskRow Short(TaskRow row, int length) =>
        new() { Features = row.Features[..length], Label = row.Label, Task = row.Task, MemoryBudget = row.MemoryBudget };

    [TestMethod]
    public void APredictionEngineRejectsAShortVectorInsteadOfReusingThePreviousRequestsValues()
    {
        var rows = MlNetTasks.Rows(60, seed: 1);
        var model = Pipeline().Fit(Ml.Data.LoadFromEnumerable(rows));
        using var engine = Ml.Model.CreatePredictionEngine<TaskRow, TaskPrediction>(model);

        var before = engine.Predict(rows[0]).Score.ToArray();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(Short(rows[1], 4)));

        StringAssert.Contains(error.Message, "Column 'Features'");
        StringAssert.Contains(error.Message, "4 values; expected 10");
        // The engine still serves full rows afterwards, with the same answer as before.
        CollectionAssert.AreEqual(before, engine.Predict(rows[0]).Score);
    }

    [TestMethod]
    public void TransformAndTrainingNameTheRowOfAShortOrLongVector()
    {
        var rows = MlNetTasks.Rows(60, seed: 1);
        var model = Pipeline().Fit(Ml.Data.LoadFromEnumerable(rows));

        var test = MlNetTasks.Rows(5, seed: 2);
        test[7] = Short(test[7], 9);
        var scored = model.Transform(Ml.Data.LoadFromEnumerable(test));
        var predictError = Assert.ThrowsExactly<InvalidOperationException>(() => MlNetTasks.Column<uint>(scored, "Level"));
        StringAssert.Contains(predictError.Message, "Column 'Features', row 7: the feature vector has 9 values; expected 10");

        var training = MlNetTasks.Rows(60, seed: 1);
        training[11] = new TaskRow { Features = training[11].Features.Append(0.5f).ToArray(), Label = training[11].Label, Task = training[11].Task };
        var trainError = Assert.ThrowsExactly<InvalidOperationException>(() => Pipeline().Fit(Ml.Data.LoadFromEnumerable(training)));
        StringAssert.Contains(trainError.Message, "Column 'Features', row 11: the feature vector has 11 values; expected 10");
    }
}
