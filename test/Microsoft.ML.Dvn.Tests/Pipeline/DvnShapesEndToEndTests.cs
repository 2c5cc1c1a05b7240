using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>
/// The whole flow (train, the budget rule, save and load, extract) on shapes other than K = T = L: more units than
/// tasks with fewer levels than units, and a single task.
/// </summary>
[TestClass]
public sealed class DvnShapesEndToEndTests
{
    [TestMethod]
    public void ThreeTasksOnFiveUnitsWithTwoLevels()
    {
        // Home units floor((t-1)5/3)+1 = 1, 2, 4; level 1 has ceil(5/2) = 3 units nearest the home unit, level 2 all 5.
        var units = RunEndToEnd(MlNetTasks.Rows(150, seed: 1), numberOfUnits: 5, numberOfLevels: 2);

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, units[1][0]);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, units[2][0]);
        CollectionAssert.AreEqual(new[] { 3, 4, 5 }, units[3][0]);
        foreach (var task in units.Values)
            CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, task[1]);
    }

    [TestMethod]
    public void OneTaskOnThreeUnitsWithTwoLevels()
    {
        var rows = MlNetTasks.Rows(150, seed: 1).Where(r => r.Task == "gamma").ToList();

        var units = RunEndToEnd(rows, numberOfUnits: 3, numberOfLevels: 2);

        Assert.AreEqual(1, units.Count);
        CollectionAssert.AreEqual(new[] { 1, 2 }, units[1][0]);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, units[1][1]);
    }

    // Trains, checks accuracy, the budget rule, a save/load round trip and the extraction of every level; returns the
    // units of every level of every task key.
    private static Dictionary<int, int[][]> RunEndToEnd(List<TaskRow> rows, int numberOfUnits, int numberOfLevels)
    {
        var ml = new MLContext(seed: 1);
        var options = MlNetTasks.Options(epochs: 15);
        options.NumberOfUnits = numberOfUnits;
        options.NumberOfLevels = numberOfLevels;
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = MlNetTasks.Pipeline(ml, options).Fit(data);
        var dvn = MlNetTasks.DvnOf(model);
        var tasks = dvn.Tasks.ToArray();
        Assert.AreEqual(numberOfLevels, dvn.NumberOfLevels);
        var test = MlNetTasks.Rows(100, seed: 2).Where(r => tasks.Select(dvn.GetTaskName).Contains(r.Task)).ToList();

        foreach (var level in model.EvaluateDvnLevels(ml.Data.LoadFromEnumerable(test)))
            Assert.IsTrue(level.MicroAccuracy > 0.7, $"task {level.Task} level {level.Level}: accuracy {level.MicroAccuracy:P0}");

        // The budget rule: a level's own size and anything up to the next level's size picks it; NaN the top level.
        foreach (int task in tasks)
        {
            var levels = dvn.GetLevels(task);
            string name = dvn.GetTaskName(task);
            var budgets = levels.SelectMany(l => new[] { l.ParameterCount, l.ParameterCount + 1 })
                .Concat(new[] { levels[^1].ParameterCount * 10 }).Select(b => (double)b).Append(double.NaN).ToArray();
            var expected = levels.SelectMany(l => new[] { (uint)l.Level, (uint)l.Level }).Concat(new[] { (uint)levels[^1].Level, (uint)levels[^1].Level }).ToArray();
            var row = test.First(r => r.Task == name);
            var output = model.Transform(ml.Data.LoadFromEnumerable(budgets.Select(b => new TaskRow { Features = row.Features, Label = row.Label, Task = row.Task, MemoryBudget = b })));
            CollectionAssert.AreEqual(expected, MlNetTasks.Column<uint>(output, "Level").ToArray(), $"task {name}: levels picked by the budgets {string.Join(", ", budgets)}");
        }

        var testData = ml.Data.LoadFromEnumerable(test);
        var predictions = Predictions.Of(model.Transform(testData));
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        predictions.AssertIdentical(Predictions.Of(loaded.Transform(testData)), "after save and load");

        var prefix = ((IEnumerable<ITransformer>)model).Take(3).ToArray();
        foreach (int task in tasks)
            foreach (var level in dvn.GetLevels(task))
            {
                var ownRows = ml.Data.LoadFromEnumerable(test.Where(r => r.Task == dvn.GetTaskName(task)));
                var prepared = prefix.Aggregate(ownRows, (d, t) => t.Transform(d));
                var extracted = dvn.ExtractSubnetwork(task, level.Level);
                Assert.AreEqual(level.ParameterCount, extracted.StoredParameterCount, $"task {task} level {level.Level}");
                var atLevel = dvn.EvaluateLevels(prepared).Single(l => l.Task == task && l.Level == level.Level);
                var alone = extracted.EvaluateLevels(prepared).Single();
                Assert.AreEqual(atLevel.MicroAccuracy, alone.MicroAccuracy, $"task {task} level {level.Level}: the extracted level predicts otherwise");
                Assert.AreEqual(atLevel.LogLoss, alone.LogLoss, 1e-5, $"task {task} level {level.Level}");
            }
        return tasks.ToDictionary(t => t, t => dvn.GetLevels(t).Select(l => l.Units.ToArray()).ToArray());
    }
}
