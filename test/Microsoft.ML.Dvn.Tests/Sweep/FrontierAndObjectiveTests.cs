using Microsoft.ML.Dvn.Sweep;

namespace Microsoft.ML.Dvn.Tests.Sweep;

[TestClass]
public sealed class FrontierAndObjectiveTests
{
    private static DvnFrontierPoint P(int trial, int level, long parameters, double accuracy) => new(trial, level, parameters, accuracy);

    [TestMethod]
    public void TheFrontierIsExactlyTheNonDominatedPointsSortedByParameters()
    {
        var points = new[]
        {
            P(1, 1, 100, 0.80), P(1, 2, 200, 0.85), P(1, 3, 300, 0.84), // 300/0.84 is dominated by 200/0.85
            P(2, 1, 100, 0.82), P(2, 2, 250, 0.85), P(2, 3, 400, 0.90), // 100/0.82 beats 100/0.80; 250/0.85 is dominated by 200/0.85
            P(3, 1, 150, 0.82), P(3, 2, 400, 0.90), P(3, 3, 500, 0.89), // 150/0.82 dominated by 100/0.82; 400/0.90 ties trial 2
        };

        var frontier = ParetoFrontier.Of(points);

        CollectionAssert.AreEqual(new[] { P(2, 1, 100, 0.82), P(1, 2, 200, 0.85), P(2, 3, 400, 0.90), P(3, 2, 400, 0.90) }, frontier.ToArray());
        foreach (var point in points.Except(frontier))
            Assert.IsTrue(points.Any(p => (p.ParameterCount <= point.ParameterCount && p.Accuracy > point.Accuracy)
                                          || (p.ParameterCount < point.ParameterCount && p.Accuracy >= point.Accuracy)), $"{point} is not dominated");
    }

    private static DvnSweepLevel L(string task, int level, long parameters, double accuracy) => new(task, task == "a" ? 1 : 2, level, parameters, accuracy, accuracy, 0.5);

    [TestMethod]
    public void MeanAccuracyAndAccuracyWithinBudgetsScoreAsDefined()
    {
        var levels = new[] { L("a", 1, 100, 0.6), L("a", 2, 1000, 0.8), L("b", 1, 100, 0.7), L("b", 2, 1000, 0.9) };
        var field = new[] { levels };

        Assert.AreEqual(0.75, DvnSweepObjective.MeanAccuracy.Score(levels, field), 1e-12);
        var budgets = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["a"] = 999, ["b"] = 1000 });
        Assert.AreEqual((0.6 + 0.9) / 2, budgets.Score(levels, field), 1e-12);
        var tooSmall = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["a"] = 99, ["b"] = 100 });
        Assert.AreEqual((0 + 0.7) / 2, tooSmall.Score(levels, field), 1e-12);
        var missing = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["a"] = 99 });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => missing.Score(levels, field)).Message, "no memory budget for task 'b'");
    }

    [TestMethod]
    public void TheFrontierObjectiveIsTheAreaUnderBestAccuracyWithinABudgetOnALogScale()
    {
        // Task a only. Trial x: 0.6 from 10^2, 0.8 from 10^3. Trial y: 0.7 from 10^3 to the field's largest size 10^4.
        var x = new[] { L("a", 1, 100, 0.6), L("a", 2, 1000, 0.8) };
        var y = new[] { L("a", 1, 1000, 0.7), L("a", 2, 10000, 0.75) };
        var field = new[] { x, y };

        // x: 0.6 over [2, 3], 0.8 over [3, 4]: (0.6 + 0.8) / 2. y: 0 over [2, 3], 0.7 over [3, 4], 0.75 at 4: 0.35.
        Assert.AreEqual(0.7, DvnSweepObjective.Frontier.Score(x, field), 1e-12);
        Assert.AreEqual(0.35, DvnSweepObjective.Frontier.Score(y, field), 1e-12);
    }
}
