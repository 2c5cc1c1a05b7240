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
    }

    private static DvnSweepLevel L(string task, int level, long parameters, double accuracy) => new(task == "a" ? 1 : 2, task, level, parameters, accuracy, accuracy, 0.5);

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
    }

    private static readonly IReadOnlyDictionary<string, DvnSizeRange> Sizes = new Dictionary<string, DvnSizeRange> { ["a"] = new(100, 1000) };

    [TestMethod]
    public void TheFrontierObjectiveIsTheNormalizedHypervolumeAgainstTwiceTheLargestSize()
    {
        // Budgets from 10^2 to 2 * 10^3: log10 from 2 to 3.30103 (width 1.30103), worked by hand.
        var objective = DvnSweepObjective.Hypervolume(Sizes);
        var x = new[] { L("a", 1, 100, 0.60), L("a", 2, 1000, 0.60) };
        var y = new[] { L("a", 1, 300, 0.75), L("a", 2, 1000, 0.99) };
        double width = Math.Log10(2000) - 2;

        Assert.AreEqual(0.60, objective.Score(x, new[] { x }), 1e-12);
        double yArea = 0.75 * (3 - Math.Log10(300)) + 0.99 * (Math.Log10(2000) - 3);
        Assert.AreEqual(yArea / width, objective.Score(y, new[] { y }), 1e-12);
    }

    [TestMethod]
    public void TheTopLevelCountsInTheFrontierObjective()
    {
        // Two trials alike but for the top level (the largest size of the space): the better top level scores higher.
        var objective = DvnSweepObjective.Hypervolume(Sizes);
        var lower = new[] { L("a", 1, 100, 0.6), L("a", 2, 1000, 0.7) };
        var higher = new[] { L("a", 1, 100, 0.6), L("a", 2, 1000, 0.8) };
        Assert.IsTrue(objective.Score(higher, new[] { higher }) > objective.Score(lower, new[] { lower }));
        Assert.AreEqual(0.1 * (Math.Log10(2000) - 3) / (Math.Log10(2000) - 2),
            objective.Score(higher, new[] { higher }) - objective.Score(lower, new[] { lower }), 1e-12);
    }

    [TestMethod]
    public void AddingATrialNeverReordersTwoOthers()
    {
        // The case: under 0.2.0's objective y overtook x once a weaker z joined the field.
        var x = new[] { L("a", 1, 100, 0.60), L("a", 2, 1000, 0.60) };
        var y = new[] { L("a", 1, 300, 0.75), L("a", 2, 1000, 0.99) };
        var z = new[] { L("a", 1, 1000, 0.50), L("a", 2, 10000, 0.50) };
        var objective = DvnSweepObjective.Hypervolume(new Dictionary<string, DvnSizeRange> { ["a"] = new(100, 10000) });

        double xAlone = objective.Score(x, new[] { x, y }), yAlone = objective.Score(y, new[] { x, y });
        Assert.AreEqual(xAlone, objective.Score(x, new[] { x, y, z }));
        Assert.AreEqual(yAlone, objective.Score(y, new[] { x, y, z }));
    }

    [TestMethod]
    public void ATaskTheTrialDidNotMeasureCountsZero()
    {
        var objective = DvnSweepObjective.Hypervolume(new Dictionary<string, DvnSizeRange> { ["a"] = new(100, 1000), ["b"] = new(100, 1000) });
        var onlyA = new[] { L("a", 1, 100, 0.6) };
        Assert.AreEqual(0.3, objective.Score(onlyA, new[] { onlyA }), 1e-12);
    }

    [TestMethod]
    public void TheFrontierObjectiveOutsideASweepSaysWhatItNeeds()
    {
        var levels = new[] { L("a", 1, 100, 0.6) };
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => DvnSweepObjective.Frontier.Score(levels, new[] { levels })).Message,
            "Hypervolume");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            DvnSweepObjective.Hypervolume(Sizes).Score(new[] { L("b", 1, 100, 0.6) }, Array.Empty<IReadOnlyList<DvnSweepLevel>>())).Message, "'b'");
    }
}
