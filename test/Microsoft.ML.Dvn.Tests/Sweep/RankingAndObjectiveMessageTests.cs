using Microsoft.ML.Dvn.Sweep;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// How trials are ranked (best score first, ties by trial id, trials without a score last whatever the sign of the
/// others'), what the objectives refuse and how they say it (whole messages, written here by hand), and the order of
/// the per-task frontiers. Scores come from accuracies chosen by hand, so each expected order is read off them.
/// </summary>
[TestClass]
public sealed class RankingAndObjectiveMessageTests
{
    private static readonly DvnSweepParameters Parameters = new DvnSearchSpace().Defaults;

    [TestMethod]
    public void TrialsRankByScoreThenIdWithUnscoredTrialsLast()
    {
        var trials = new[] { Trial(1, 0.5), Trial(2, 0.9), Trial(3, 0.7), Trial(4), Trial(5, 0.7) };

        var ranked = TrialRanking.Rank(trials, DvnSweepObjective.MeanAccuracy);

        CollectionAssert.AreEqual(new[] { 2, 3, 5, 1, 4 }, ranked.Select(r => r.Trial.Id).ToArray());
        Assert.IsTrue(double.IsNaN(ranked[^1].Score));
        Assert.AreEqual(2, TrialRanking.Best(trials, DvnSweepObjective.MeanAccuracy)!.Id);
        // With scores below zero an unscored trial still comes last (its NaN is not ranked as a 0).
        var below = TrialRanking.Rank(trials, new Shifted(-1));
        CollectionAssert.AreEqual(new[] { 2, 3, 5, 1, 4 }, below.Select(r => r.Trial.Id).ToArray());
        Assert.AreEqual(2, TrialRanking.Best(trials, new Shifted(-1))!.Id);
    }

    [TestMethod]
    public void NoBestTrialWithoutAScoredOneAndAFailingObjectiveIsRecordedAsTheTrialsError()
    {
        Assert.IsNull(TrialRanking.Best(Array.Empty<DvnSweepTrial>(), DvnSweepObjective.MeanAccuracy));
        Assert.IsNull(TrialRanking.Best(new[] { Trial(1), Trial(2) }, DvnSweepObjective.MeanAccuracy));

        var objective = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["a"] = 500, ["c"] = 20 });
        var ranked = TrialRanking.Rank(new[] { Trial(1, 0.5), Trial(2, 0.6, task: "b") }, objective);

        CollectionAssert.AreEqual(new[] { 1, 2 }, ranked.Select(r => r.Trial.Id).ToArray());
        Assert.IsNull(ranked[0].Error);
        Assert.AreEqual("the objective 'accuracy within budgets (a 500, c 20)' failed: ArgumentException: The objective has no memory budget for task 'b'; " +
                        "it has budgets for a, c.", ranked[1].Error);
        Assert.IsTrue(double.IsNaN(ranked[1].Score));
    }

    [TestMethod]
    public void ObjectivesNameThemselvesAndScoreATrialWithoutLevelsAsUnscored()
    {
        var sizes = new Dictionary<string, DvnSizeRange> { ["a"] = new(1, 1) };
        var budgets = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["a"] = 500, ["b"] = 20 });
        Assert.AreEqual("mean accuracy", DvnSweepObjective.MeanAccuracy.ToString());
        Assert.AreEqual("frontier (hypervolume of accuracy over log parameters)", DvnSweepObjective.Frontier.Name);
        Assert.AreEqual("frontier (hypervolume of accuracy over log parameters)", DvnSweepObjective.Hypervolume(sizes).ToString());
        Assert.AreEqual("accuracy within budgets (a 500, b 20)", budgets.Name);
        var none = Array.Empty<DvnSweepLevel>();
        foreach (var objective in new[] { DvnSweepObjective.MeanAccuracy, DvnSweepObjective.Hypervolume(sizes), budgets })
            Assert.IsTrue(double.IsNaN(objective.Score(none, new[] { none })), objective.Name);
    }

    [TestMethod]
    public void ObjectivesRefuseSizesAndBudgetsTheyCannotScoreWithWholeMessages()
    {
        Assert.AreEqual("sizes", Assert.ThrowsExactly<ArgumentNullException>(() => DvnSweepObjective.Hypervolume(null!)).ParamName);
        Assert.AreEqual("budgets", Assert.ThrowsExactly<ArgumentNullException>(() => DvnSweepObjective.AccuracyWithinBudgets(null!)).ParamName);
        foreach (var range in new[] { new DvnSizeRange(0, 10), new DvnSizeRange(-1, 10), new DvnSizeRange(10, 9) })
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
                DvnSweepObjective.Hypervolume(new Dictionary<string, DvnSizeRange> { ["a"] = new(1, 5), ["b"] = range }));
            Assert.AreEqual($"Task 'b': the size range DvnSizeRange {{ Smallest = {range.Smallest}, Largest = {range.Largest} }} needs 1 <= Smallest <= Largest. " +
                            "(Parameter 'sizes')", error.Message);
        }
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            DvnSweepObjective.Hypervolume(new Dictionary<string, DvnSizeRange> { ["a"] = null! })).Message, "Task 'a': the size range  needs 1 <= Smallest <= Largest.");

        var budgets = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["a"] = 500, ["b"] = 20 });
        var ranges = new Dictionary<string, DvnSizeRange> { ["a"] = new(1, 5), ["c"] = new(1, 5), ["d"] = new(1, 5) };
        Assert.AreEqual("DvnSweepObjective.AccuracyWithinBudgets has no memory budget for task 'c', 'd' of the sweep's data; it has budgets for 'a', 'b'. " +
                        "Give every task a budget.", Assert.ThrowsExactly<ArgumentException>(() => budgets.For(ranges)).Message);
        Assert.AreSame(budgets, budgets.For(new Dictionary<string, DvnSizeRange> { ["b"] = new(1, 5), ["a"] = new(1, 5) }));

        var levels = new[] { Level("a", 100, 0.6) };
        Assert.AreEqual("The frontier objective measures trials against the sizes their search space can reach: a sweep sets them " +
                        "(DvnSweepResult.Best); outside one, use DvnSweepObjective.Hypervolume(sizes).",
            Assert.ThrowsExactly<InvalidOperationException>(() => DvnSweepObjective.Frontier.Score(levels, new[] { levels })).Message);
        var onlyC = DvnSweepObjective.Hypervolume(new Dictionary<string, DvnSizeRange> { ["c"] = new(1, 5), ["d"] = new(1, 5) });
        var twoTasks = new[] { Level("a", 100, 0.6), Level("b", 100, 0.6), Level("a", 200, 0.7) };
        Assert.AreEqual("The frontier objective has no size range for task 'a', 'b'; it has ranges for 'c', 'd'.",
            Assert.ThrowsExactly<ArgumentException>(() => onlyC.Score(twoTasks, new[] { twoTasks })).Message);
    }

    [TestMethod]
    public void TaskFrontiersComeInTaskKeyOrderAndTiedPointsInTrialOrder()
    {
        Assert.AreEqual("trials", Assert.ThrowsExactly<ArgumentNullException>(() => DvnTaskFrontier.Of(null!)).ParamName);
        // Trial 7 is listed first, with task 2 before task 1; trials 3 and 7 tie on task 1's level 1.
        var frontiers = DvnTaskFrontier.Of(new (int, IReadOnlyList<DvnSweepLevel>)[]
        {
            (7, new[] { Level("b", 50, 0.8, task: 2), Level("a", 100, 0.6, task: 1) }),
            (3, new[] { Level("a", 100, 0.6, task: 1), Level("a", 300, 0.9, task: 1, level: 2) }),
        });

        CollectionAssert.AreEqual(new[] { 1, 2 }, frontiers.Select(f => f.Task).ToArray());
        CollectionAssert.AreEqual(new[] { "a", "b" }, frontiers.Select(f => f.TaskName).ToArray());
        CollectionAssert.AreEqual(new[] { new DvnFrontierPoint(3, 1, 100, 0.6), new DvnFrontierPoint(7, 1, 100, 0.6), new DvnFrontierPoint(3, 2, 300, 0.9) },
            frontiers[0].Points.ToArray());
    }

    private static DvnSweepTrial Trial(int id, double? accuracy = null, string task = "a") => new(id, DvnSweepTrialStatus.Completed, Parameters, 1, 0, 0,
        accuracy is double a ? new[] { Level(task, 100, a) } : Array.Empty<DvnSweepLevel>(), null, id);

    private static DvnSweepLevel Level(string name, long parameters, double accuracy, int task = 1, int level = 1) =>
        new(task, name, level, parameters, accuracy, accuracy, 0.5);

    // Mean accuracy moved by a constant: scores below zero when the shift is.
    private sealed class Shifted(double shift) : DvnSweepObjective
    {
        public override string Name => "shifted mean accuracy";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field) =>
            levels.Count == 0 ? double.NaN : levels.Average(l => l.MicroAccuracy) + shift;
    }
}
