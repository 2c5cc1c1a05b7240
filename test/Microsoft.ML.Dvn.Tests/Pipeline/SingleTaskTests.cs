using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// A single-task model needs no task column (TaskColumnName = null), as ML.NET's trainers take optional columns as
/// null: it trains, predicts by budget, evaluates with ML.NET's evaluator and round-trips through a zip on data
/// that has no Task column at all; its default units are 3, so it still has levels of growing size.
/// </summary>
[TestClass]
public sealed class SingleTaskTests
{
    private sealed class Row
    {
        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public double MemoryBudget { get; set; } = double.NaN;
    }

    private static List<Row> Rows(int count, int seed)
    {
        // Task 3 of the generated problem: four classes.
        var (features, labels) = GeneratedTasks.Rows(3, count, seed);
        return features.Select((x, i) => new Row { Features = x, Label = $"class{labels[i]}" }).ToList();
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, DvnEstimator.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(options));

    [TestMethod]
    public void WithoutATaskColumnItTrainsThreeLevelsPredictsByBudgetAndRoundTripsThroughAZip()
    {
        var ml = new MLContext(seed: 1);
        var options = MlNetTasks.Options(epochs: 15);
        options.TaskColumnName = null;
        var data = ml.Data.LoadFromEnumerable(Rows(300, seed: 1));
        Assert.IsNull(data.Schema.GetColumnOrNull("Task"), "the data has no task column");

        var model = Pipeline(ml, options).Fit(data);

        var dvn = MlNetTasks.DvnOf(model);
        CollectionAssert.AreEqual(new[] { 1 }, dvn.Tasks.ToArray());
        var levels = dvn.GetLevels(1);
        Assert.AreEqual(3, levels.Count, "default units for one task: 3, and as many levels");
        Assert.IsTrue(levels[0].ParameterCount < levels[1].ParameterCount && levels[1].ParameterCount < levels[2].ParameterCount,
            string.Join(", ", levels.Select(l => l.ParameterCount)));

        var test = Rows(200, seed: 2);
        var output = model.Transform(ml.Data.LoadFromEnumerable(test));
        var metrics = ml.MulticlassClassification.Evaluate(output);
        Assert.IsTrue(metrics.MicroAccuracy > 0.7, $"top level accuracy {metrics.MicroAccuracy:P1}");

        var budgets = test.Select((r, i) => new Row { Features = r.Features, Label = r.Label, MemoryBudget = levels[i % 3].ParameterCount }).ToList();
        var picked = MlNetTasks.Column<uint>(model.Transform(ml.Data.LoadFromEnumerable(budgets)), "Level");
        CollectionAssert.AreEqual(budgets.Select((_, i) => (uint)(i % 3 + 1)).ToList(), picked, "each level's own size picks it");

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out var inputSchema);
        Assert.IsNull(inputSchema.GetColumnOrNull("Task"));
        var budgetData = ml.Data.LoadFromEnumerable(budgets);
        var (before, after) = (model.Transform(budgetData), loaded.Transform(budgetData));
        CollectionAssert.AreEqual(MlNetTasks.Column<uint>(before, "PredictedLabel"), MlNetTasks.Column<uint>(after, "PredictedLabel"));
        CollectionAssert.AreEqual(picked, MlNetTasks.Column<uint>(after, "Level"));
        var (scores, loadedScores) = (MlNetTasks.Vectors(before, "Score"), MlNetTasks.Vectors(after, "Score"));
        for (int i = 0; i < scores.Count; i++)
            Assert.IsTrue(scores[i].AsSpan().SequenceEqual(loadedScores[i]), $"row {i}: scores differ after save and load");
    }

    [TestMethod]
    public void AnEmptyTaskColumnNameIsRejectedNamingTheOption()
    {
        var options = MlNetTasks.Options();
        options.TaskColumnName = " ";

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().MulticlassClassification.Trainers.Dvn(options));

        StringAssert.Contains(error.Message, "DvnEstimator.Options.TaskColumnName is ' '; expected a column name, or null for a single-task model");
    }
}
