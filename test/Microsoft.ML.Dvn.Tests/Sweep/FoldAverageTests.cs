using Microsoft.ML.Dvn.Sweep;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// A k-fold trial reports, for every (task, level), the mean over the folds that measured it of its micro-accuracy,
/// macro-accuracy and log-loss; a (task, level) that a fold did not measure (no held-out rows of the task there) is
/// averaged over the others. Levels come out by task key, then level. The means are worked out by hand.
/// </summary>
[TestClass]
public sealed class FoldAverageTests
{
    [TestMethod]
    public void EachTaskLevelIsTheMeanOfTheFoldsThatMeasuredItInTaskThenLevelOrder()
    {
        var folds = new List<IReadOnlyList<DvnSweepLevel>>
        {
            new[] { new DvnSweepLevel(2, "b", 1, 50, 0.6, 0.6, 0.9), new DvnSweepLevel(1, "a", 2, 200, 0.9, 0.85, 0.3), new DvnSweepLevel(1, "a", 1, 100, 0.8, 0.7, 0.5) },
            new[] { new DvnSweepLevel(1, "a", 1, 100, 0.6, 0.5, 0.7), new DvnSweepLevel(2, "b", 1, 50, 0.7, 0.5, 0.7) },
            new[] { new DvnSweepLevel(2, "b", 1, 50, 0.8, 0.4, 0.5) },
        };

        var averaged = TrialRunner.Average(folds);

        Assert.AreEqual(3, averaged.Count);
        AreClose(new DvnSweepLevel(1, "a", 1, 100, 0.7, 0.6, 0.6), averaged[0]);
        AreClose(new DvnSweepLevel(1, "a", 2, 200, 0.9, 0.85, 0.3), averaged[1]);
        AreClose(new DvnSweepLevel(2, "b", 1, 50, 0.7, 0.5, 0.7), averaged[2]);
    }

    private static void AreClose(DvnSweepLevel expected, DvnSweepLevel actual)
    {
        Assert.AreEqual((expected.Task, expected.TaskName, expected.Level, expected.ParameterCount), (actual.Task, actual.TaskName, actual.Level, actual.ParameterCount));
        Assert.AreEqual(expected.MicroAccuracy, actual.MicroAccuracy, 1e-12, $"{actual}");
        Assert.AreEqual(expected.MacroAccuracy, actual.MacroAccuracy, 1e-12, $"{actual}");
        Assert.AreEqual(expected.LogLoss, actual.LogLoss, 1e-12, $"{actual}");
    }
}
