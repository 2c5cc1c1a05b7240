using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Persistence;

[TestClass]
public sealed class SubnetworkExtractionTests
{
    private static TrainedPipeline _trained = null!;
    private static ITransformer _prefix = null!;

    [ClassInitialize]
    public static void Train(TestContext _)
    {
        _trained = new TrainedPipeline(new MLContext(seed: 1));
        _prefix = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)_trained.Model).Take(3).ToArray());
    }

    [TestMethod]
    public void AnExtractedLevelStoresExactlyTheParametersThatLevelReads()
    {
        for (int t = 1; t <= 3; t++)
            foreach (var level in _trained.Dvn.GetLevels(t))
            {
                var extracted = _trained.Dvn.ExtractSubnetwork(t, level.Level);
                Assert.AreEqual(level.ParameterCount, extracted.StoredParameterCount, $"task {t}, level {level.Level}");
                Assert.AreEqual(1, extracted.NumberOfTasks);
                Assert.AreEqual(1, extracted.NumberOfLevels);
                Assert.AreEqual(level, extracted.GetLevels(t).Single() with { Units = level.Units });
                CollectionAssert.AreEqual(level.Units.ToArray(), extracted.GetLevels(t).Single().Units.ToArray());
            }
    }

    [TestMethod]
    public void AnExtractedLevelPredictsItsTaskLikeTheFullModelAtThatLevel()
    {
        const int task = 3;
        var rows = _trained.Rows.Where(r => r.Task == "gamma").ToList();
        foreach (var level in _trained.Dvn.GetLevels(task))
        {
            var atLevel = rows.Select(r => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task, MemoryBudget = level.ParameterCount }).ToList();
            var unlimited = rows.Select(r => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task }).ToList();
            var prepared = _prefix.Transform(_trained.Ml.Data.LoadFromEnumerable(atLevel));
            var preparedUnlimited = _prefix.Transform(_trained.Ml.Data.LoadFromEnumerable(unlimited));

            var full = Predictions.Of(KeyToValue(_trained.Dvn.Transform(prepared)));
            var extracted = Predictions.Of(KeyToValue(_trained.Dvn.ExtractSubnetwork(task, level.Level).Transform(preparedUnlimited)));

            CollectionAssert.AreEqual(full.Labels, extracted.Labels, $"level {level.Level}: predicted labels");
            CollectionAssert.AreEqual(full.Levels, extracted.Levels, $"level {level.Level}: levels");
            CollectionAssert.AreEqual(full.ParameterCounts, extracted.ParameterCounts, $"level {level.Level}: parameter counts");
            for (int i = 0; i < rows.Count; i++)
                for (int k = 0; k < full.Scores[i].Length; k++)
                    Assert.AreEqual(full.Scores[i][k], extracted.Scores[i][k], 1e-5, $"level {level.Level}, row {i}, score {k}");
        }
    }

    [TestMethod]
    public void AnExtractedLevelRejectsOtherTasksAndSmallerBudgetsButTakesLargerOnes()
    {
        var extracted = _trained.Dvn.ExtractSubnetwork(2, 2);
        long size = extracted.StoredParameterCount;
        var beta = _trained.Rows.First(r => r.Task == "beta");
        var alpha = _trained.Rows.First(r => r.Task == "alpha");
        IDataView Rows(params TaskRow[] rows) => _prefix.Transform(_trained.Ml.Data.LoadFromEnumerable(rows));
        TaskRow With(TaskRow row, double budget) => new() { Features = row.Features, Label = row.Label, Task = row.Task, MemoryBudget = budget };

        var fine = Predictions.Of(KeyToValue(extracted.Transform(Rows(With(beta, size), With(beta, size * 100), With(beta, double.NaN)))));
        CollectionAssert.AreEqual(new uint[] { 2, 2, 2 }, fine.Levels);

        var otherTask = Assert.ThrowsExactly<InvalidOperationException>(() => Predictions.Of(KeyToValue(extracted.Transform(Rows(With(alpha, double.NaN))))));
        StringAssert.Contains(otherTask.Message, "does not serve task 'alpha'");
        StringAssert.Contains(otherTask.Message, "it serves 'beta'");

        var small = Assert.ThrowsExactly<InvalidOperationException>(() => Predictions.Of(KeyToValue(extracted.Transform(Rows(With(beta, size - 1))))));
        StringAssert.Contains(small.Message, $"level 2 with {size} parameters");
    }

    [TestMethod]
    public void AnExtractedLevelSavesLoadsAndItsFileShrinksWithItsSize()
    {
        var ml = _trained.Ml;
        var schema = _prefix.Transform(_trained.Data).Schema;
        long fullBytes = ModelZip.Save(ml, _trained.Dvn, schema).Length;
        foreach (var level in _trained.Dvn.GetLevels(1))
        {
            var extracted = _trained.Dvn.ExtractSubnetwork(1, level.Level);
            var zip = ModelZip.Save(ml, extracted, schema);
            var loaded = (DvnTransformer)ModelZip.Load(zip);

            Assert.AreEqual(level.ParameterCount, loaded.StoredParameterCount);
            double share = (double)level.ParameterCount / _trained.Dvn.StoredParameterCount;
            Assert.IsTrue(zip.Length < fullBytes * share * 1.15 + 4096,
                $"level {level.Level}: {zip.Length} bytes for {share:P0} of the parameters of a {fullBytes}-byte model");
            var rows = _prefix.Transform(ml.Data.LoadFromEnumerable(_trained.Rows.Where(r => r.Task == "alpha")
                .Select(r => new TaskRow { Features = r.Features, Label = r.Label, Task = r.Task })));
            Predictions.Of(KeyToValue(extracted.Transform(rows))).AssertIdentical(Predictions.Of(KeyToValue(loaded.Transform(rows))), $"level {level.Level} after load");
        }
    }

    [TestMethod]
    public void ExtractingALevelOrTaskThatDoesNotExistFailsClearly()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _trained.Dvn.ExtractSubnetwork(1, 4));
        StringAssert.Contains(error.Message, "Task 1 has no level 4");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _trained.Dvn.ExtractSubnetwork(9, 1));
    }

    private static IDataView KeyToValue(IDataView data) =>
        _trained.Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(data).Transform(data);
}
