namespace Microsoft.ML.Dvn.Tests.Sweep;

[TestClass]
public sealed class SearchSpaceTests
{
    private static DvnSearchSpace Space() => new()
    {
        BaseOptions = new DvnEstimator.Options { LearningRate = 0.005, Architecture = DvnArchitecture.Mlp(12, 12) },
        NumberOfUnits = DvnSearch.Choice(0, 2, 4, 6),
        NumberOfLevels = DvnSearch.Choice(0, 1, 2, 3, 5),
        Architecture = DvnSearch.Choice(DvnArchitecture.Mlp(12, 12), DvnArchitecture.Mlp(10, 10), DvnArchitecture.Mlp(18, 18)),
    };

    [TestMethod]
    public void RandomDrawsNeverHoldMoreLevelsThanUnitsOrWidthsTheUnitsDoNotDivide()
    {
        var space = Space();
        var random = new Random(7);
        var draws = Enumerable.Range(0, 400).Select(_ => space.Sample(random, tasks: 3)).ToArray();

        foreach (var p in draws)
        {
            int units = p.NumberOfUnits == 0 ? 3 : p.NumberOfUnits;
            Assert.IsTrue(p.NumberOfLevels <= units, $"{p}: more levels than units");
            Assert.IsTrue(p.Architecture.HiddenLayerSizes.All(w => w % units == 0), $"{p}: widths not divisible by {units}");
        }
        // Every admissible value is drawn: 4 units split 12 only; 6 units split 12 and 18; 5 levels fit 6 units only.
        CollectionAssert.AreEquivalent(new[] { 0, 2, 4, 6 }, draws.Select(p => p.NumberOfUnits).Distinct().ToArray());
        CollectionAssert.AreEquivalent(new[] { 0, 1, 2, 3, 5 }, draws.Select(p => p.NumberOfLevels).Distinct().ToArray());
        Assert.IsTrue(draws.Any(p => p.NumberOfUnits == 6 && p.NumberOfLevels == 5));
        Assert.IsTrue(draws.Where(p => p.NumberOfUnits == 4).All(p => p.Architecture.HiddenLayerSizes[0] == 12));
        Assert.IsTrue(draws.Any(p => p.Architecture.HiddenLayerSizes[0] == 10), "10-wide layers split into 2 units");
        // Dimensions left null take the base options' values.
        Assert.IsTrue(draws.All(p => p.NumberOfEpochs == 10));
    }

    [TestMethod]
    public void TheSameSeedDrawsTheSameTrials()
    {
        var first = Enumerable.Range(0, 20).Select(_ => Space().Sample(new Random(3), 3)).ToArray();
        var again = Enumerable.Range(0, 20).Select(_ => Space().Sample(new Random(3), 3)).ToArray();
        var random = new Random(3);
        var sequence = Enumerable.Range(0, 20).Select(_ => Space().Sample(random, 3)).ToArray();
        CollectionAssert.AreEqual(first, again);
        Assert.IsTrue(sequence.Distinct().Count() > 10, "successive draws differ");
    }

    [TestMethod]
    public void AGridTriesEveryCombinationInOrderAndSkipsInvalidOnesWithAReason()
    {
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12) },
            LearningRate = DvnSearch.LogUniform(1e-4, 1e-2, gridPoints: 3),
            BatchSize = DvnSearch.Choice(16, 32),
            WeightDecay = DvnSearch.Fixed(0.0),
            NumberOfLevels = DvnSearch.Choice(2, 4),
        };
        var grid = space.Grid(tasks: 3).ToArray();

        Assert.AreEqual(3 * 2 * 2, grid.Length);
        var valid = grid.Where(g => g.Parameters is not null).Select(g => g.Parameters!).ToArray();
        CollectionAssert.AreEqual(new[] { 1e-4, 1e-4, 1e-3, 1e-3, 1e-2, 1e-2 }, valid.Select(p => Math.Round(p.LearningRate, 12)).ToArray());
        CollectionAssert.AreEqual(new[] { 16, 32, 16, 32, 16, 32 }, valid.Select(p => p.BatchSize).ToArray());
        Assert.IsTrue(valid.All(p => p.NumberOfLevels == 2));
        var skipped = grid.Where(g => g.Parameters is null).ToArray();
        Assert.AreEqual(6, skipped.Length);
        StringAssert.Contains(skipped[0].Skipped, "within 1..3, the units");
        StringAssert.Contains(skipped[0].Combination, "4 levels");
    }

    [TestMethod]
    public void MlpWidthsAreMultiplesOfTheUnitsWithinTheRange()
    {
        var widths = DvnSearch.MlpWidths(layers: 2, minimumWidth: 20, maximumWidth: 50);
        var random = new Random(1);
        var drawn = Enumerable.Range(0, 300).Select(_ => widths.Sample(random, units: 4)).SelectMany(a => a.HiddenLayerSizes).Distinct().Order().ToArray();
        CollectionAssert.AreEqual(new[] { 20, 24, 28, 32, 36, 40, 44, 48 }, drawn);
        CollectionAssert.AreEqual(new[] { 20, 36, 48 }, widths.Grid(4).Select(a => a.HiddenLayerSizes[0]).ToArray());
        Assert.IsFalse(DvnSearch.MlpWidths(1, 20, 23).Admits(units: 8), "no multiple of 8 within 20..23");
    }

    [TestMethod]
    public void LogUniformDrawsStayInRangeAndIncludeZeroAQuarterOfTheTime()
    {
        var decay = DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true);
        var random = new Random(5);
        var values = Enumerable.Range(0, 4000).Select(_ => decay.Sample(random, 0)).ToArray();
        double zeros = values.Count(v => v == 0) / (double)values.Length;
        Assert.IsTrue(zeros is > 0.22 and < 0.28, $"zero share {zeros}");
        var logs = values.Where(v => v > 0).Select(Math.Log10).ToArray();
        Assert.IsTrue(logs.All(l => l >= -6 && l <= -3));
        Assert.IsTrue(Math.Abs(logs.Average() + 4.5) < 0.1, "uniform in the logarithm: mean log10 near -4.5");
        CollectionAssert.AreEqual(new[] { 0, 1e-6, 1e-3 }, DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true, gridPoints: 2).Grid(0).Select(v => Math.Round(v, 12)).ToArray());
    }

    [TestMethod]
    public void ASpaceWithNothingThatCanTrainIsRejectedUpFront()
    {
        var space = new DvnSearchSpace { NumberOfUnits = DvnSearch.Fixed(7), Architecture = DvnSearch.Fixed(DvnArchitecture.Mlp(12, 12)) };
        var error = Assert.ThrowsExactly<ArgumentException>(() => space.Check(tasks: 3));
        StringAssert.Contains(error.Message, "No combination of the search space can train on 3 tasks");
    }
}
