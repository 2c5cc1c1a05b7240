using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class TaskAffinityTests
{
    private static readonly DvnArchitecture Architecture = DvnArchitecture.Mlp(24, 24);

    [TestMethod]
    public void TasksWithTheSameRuleAreMoreAlikeThanTasksWithAnotherAndArePlacedToShareTheMost()
    {
        using var scope = NewDisposeScope();
        // Task 1 and task 3 follow the same rule (which of x0, x1, x2 is largest) on different rows; task 2 is the XOR.
        var tasks = new[] { Task(rule: 1, seed: 1), Task(rule: 2, seed: 1), Task(rule: 1, seed: 2) };

        var measured = TaskAffinity.Measure(Architecture, tasks, batchSize: 32, learningRate: 0.01, seed: 3, CancellationToken.None);
        var order = TaskArrangement.Choose(measured.Affinity, measured.CanonicalRank, numberOfUnits: 3, numberOfLevels: 3);

        Console.WriteLine($"affinity 1-3 {measured.Affinity[0, 2]:F3}, 1-2 {measured.Affinity[0, 1]:F3}, 2-3 {measured.Affinity[1, 2]:F3}; order {order}");
        Assert.IsTrue(measured.Affinity[0, 2] > measured.Affinity[0, 1] && measured.Affinity[0, 2] > measured.Affinity[1, 2]);
        // With K = T = L = 3, positions 1 and 2 share the most units (both levels 2 are units {1, 2}).
        CollectionAssert.AreEquivalent(new[] { 1, 3 }, order.TasksByPosition.Take(2).ToArray());
        NetworkFixtures.DisposeAll(tasks);
    }

    [TestMethod]
    public void TheMeasurementIsDeterministicAndIndependentOfTheRowOrderAndTheTaskKeys()
    {
        using var scope = NewDisposeScope();
        var tasks = NetworkFixtures.Tasks(rowsPerTask: 300, seed: 1);
        // The same tasks as keys 3, 1, 2, each with its rows in another order.
        var permutation = new[] { 2, 0, 1 }; // new key k+1 holds old task permutation[k]+1
        var shuffled = permutation.Select((old, k) =>
        {
            var rows = randperm(tasks[old].RowCount, generator: new Generator((ulong)(k + 10)));
            return new TaskData(tasks[old].Features.index_select(0, rows), tasks[old].Labels.index_select(0, rows));
        }).ToArray();

        var first = TaskAffinity.Measure(Architecture, tasks, 32, 0.01, seed: 4, CancellationToken.None);
        var again = TaskAffinity.Measure(Architecture, tasks, 32, 0.01, seed: 4, CancellationToken.None);
        var moved = TaskAffinity.Measure(Architecture, shuffled, 32, 0.01, seed: 4, CancellationToken.None);

        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
            {
                Assert.AreEqual(first.Affinity[a, b], again.Affinity[a, b], 0, "two measurements differ");
                Assert.AreEqual(first.Affinity[permutation[a], permutation[b]], moved.Affinity[a, b], 0, $"keys {a + 1}, {b + 1}: the row or key order changed the affinity");
            }
        Assert.IsTrue(Enumerable.Range(0, 3).Any(a => Math.Abs(first.Affinity[a, (a + 1) % 3]) > 1e-3), "every affinity is 0: nothing was measured");
        foreach (var (units, levels) in new[] { (3, 3), (6, 3), (5, 2) })
        {
            var order = TaskArrangement.Choose(first.Affinity, first.CanonicalRank, units, levels).TasksByPosition;
            var movedOrder = TaskArrangement.Choose(moved.Affinity, moved.CanonicalRank, units, levels).TasksByPosition;
            CollectionAssert.AreEqual(order.ToArray(), movedOrder.Select(k => permutation[k - 1] + 1).ToArray(), $"K = {units}, L = {levels}: the same tasks are not in the same places");
        }
        NetworkFixtures.DisposeAll(tasks.Concat(shuffled));
    }

    [TestMethod]
    public void TheArrangementPutsTheMostRelatedTasksWhereTheyShareMostAndConflictingOnesApart()
    {
        // Four tasks; 2 and 4 are alike, 1 and 3 are alike, 1 conflicts with 2 and 4.
        var affinity = Symmetric(4, (0, 2, 0.8), (1, 3, 0.9), (0, 1, -0.5), (0, 3, -0.5));
        var ranks = new[] { 0, 1, 2, 3 };

        var order = TaskArrangement.Choose(affinity, ranks, numberOfUnits: 6, numberOfLevels: 3).TasksByPosition.ToArray();

        // K = 6, L = 3 with four tasks: home units 1, 2, 4, 5; positions 1 and 2 share their level-1 units, so do 3 and 4.
        int Position(int task) => Array.IndexOf(order, task) + 1;
        Assert.AreEqual(1, Math.Abs(Position(2) - Position(4)), $"order {string.Join(", ", order)}");
        Assert.AreEqual(1, Math.Abs(Position(1) - Position(3)), $"order {string.Join(", ", order)}");
        Assert.IsTrue((Position(2) + Position(4)) % 4 == 3 && (Position(1) + Position(3)) % 4 == 3, $"pairs straddle the middle: {string.Join(", ", order)}");
    }

    [TestMethod]
    public void TiesGoToTheCanonicalOrderAndManyTasksStillGetAValidOrder()
    {
        var none = new double[3, 3];
        CollectionAssert.AreEqual(new[] { 2, 3, 1 }, TaskArrangement.Choose(none, new[] { 2, 0, 1 }, 3, 3).TasksByPosition.ToArray());

        // Ten tasks (beyond the exhaustive search): pairs (1, 10), (2, 9), ... are alike.
        var affinity = new double[10, 10];
        for (int t = 0; t < 5; t++)
            affinity[t, 9 - t] = affinity[9 - t, t] = 1;
        var order = TaskArrangement.Choose(affinity, Enumerable.Range(0, 10).ToArray(), 10, 10).TasksByPosition.ToArray();
        CollectionAssert.AreEquivalent(Enumerable.Range(1, 10).ToArray(), order);
        int adjacentPairs = Enumerable.Range(0, 9).Count(p => order[p] + order[p + 1] == 11);
        Assert.IsTrue(adjacentPairs >= 3, $"only {adjacentPairs} alike pairs are neighbours in {string.Join(", ", order)}");
    }

    private static double[,] Symmetric(int tasks, params (int A, int B, double Value)[] values)
    {
        var matrix = new double[tasks, tasks];
        for (int t = 0; t < tasks; t++)
            matrix[t, t] = 1;
        foreach (var (a, b, value) in values)
            matrix[a, b] = matrix[b, a] = value;
        return matrix;
    }

    private static TaskData Task(int rule, int seed)
    {
        var (features, labels) = GeneratedTasks.Rows(rule, 600, seed);
        return new TaskData(tensor(features.SelectMany(f => f).ToArray(), 600, GeneratedTasks.FeatureCount), tensor(labels.Select(l => (long)l).ToArray()));
    }
}
