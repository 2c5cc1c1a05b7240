using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

/// <summary>DvnEstimator.Options.TaskUnitOrder: tasks take the units in the order their names are listed, whatever their keys.</summary>
[TestClass]
public sealed class TaskUnitOrderTests
{
    private static DvnTransformer Fit(IEnumerable<TaskRow> rows, string[]? order)
    {
        var ml = new MLContext(1);
        var options = MlNetTasks.Options(epochs: 1);
        options.TaskUnitOrder = order;
        return MlNetTasks.Dvn(MlNetTasks.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows.ToList())));
    }

    private static Dictionary<string, int[]> HomeUnits(DvnTransformer dvn) =>
        Enumerable.Range(1, 3).ToDictionary(dvn.GetTaskName, key => dvn.GetLevels(key)[0].Units.ToArray());

    [TestMethod]
    public void TasksTakeTheUnitsInTheListedOrderWhateverKeysTheyHave()
    {
        // K = T = L = 3 (DVN-METHOD.md's table): the task at position p of the order has level 1 = {p}.
        var rows = MlNetTasks.Rows(20, seed: 1);
        var byKeys = HomeUnits(Fit(rows, null));
        var listed = HomeUnits(Fit(rows, new[] { "gamma", "alpha", "beta" }));
        var reordered = HomeUnits(Fit(rows.OrderBy(r => r.Task != "beta"), new[] { "gamma", "alpha", "beta" }));

        CollectionAssert.AreEqual(new[] { 1 }, byKeys["alpha"], "without the option, key order: alpha first");
        foreach (var units in new[] { listed, reordered })
        {
            CollectionAssert.AreEqual(new[] { 1 }, units["gamma"]);
            CollectionAssert.AreEqual(new[] { 2 }, units["alpha"]);
            CollectionAssert.AreEqual(new[] { 3 }, units["beta"]);
        }
    }

    [TestMethod]
    public void AnOrderThatDoesNotListTheDatasTasksIsRejectedNamingTheTask()
    {
        var rows = MlNetTasks.Rows(5, seed: 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(rows, new[] { "gamma", "alpha", "delta" })).Message,
            "names task 'delta', which column 'Task' does not have");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(rows, new[] { "gamma", "alpha" })).Message,
            "lists 2 tasks (gamma, alpha); the data has 3");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(rows, new[] { "gamma", "alpha", "alpha" })).Message,
            "lists a task twice");
        var affinity = MlNetTasks.Options();
        affinity.TaskOrder = DvnTaskOrder.Affinity;
        affinity.TaskUnitOrder = new[] { "alpha", "beta", "gamma" };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).MulticlassClassification.Trainers.Dvn(affinity)).Message,
            "TaskUnitOrder is alpha, beta, gamma; expected null with TaskOrder Affinity");
    }
}
