namespace Microsoft.ML.Dvn.Tests.Sweep;

[TestClass]
public sealed class SearchSpaceTests
{
    private static DvnSearchSpace Space() => new()
    {
        BaseOptions = new DvnEstimator.Options { LearningRate = 0.005, Architecture = DvnArchitecture.Mlp(12, 12) },
        NumberOfUnits = DvnSearch.Choice(0, 2, 4, 6),
        NumberOfLevels = DvnSearch.Choice(0, 1, 2, 3, 5),
        Architecture = DvnSearch.Choice(DvnArchitecture.Mlp(12, 12), DvnArchitecture.Mlp(10, 10), DvnArchitecture.Mlp(5, 5)),
    };

    [TestMethod]
    public void RandomDrawsAreExactlyTheCombinationsTheTrainerAccepts()
    {
        var space = Space();
        var random = new Random(7);
        var draws = Enumerable.Range(0, 400).Select(_ => space.Sample(random, tasks: 3)).ToArray();

        // The rules, written out here from the options' docs: levels 1..K (0 = K), K = 3 for 0 with 3 tasks, every
        // layer at least K wide (units need not divide it).
        foreach (var p in draws)
        {
            int units = p.NumberOfUnits == 0 ? 3 : p.NumberOfUnits;
            Assert.IsTrue(p.NumberOfLevels <= units, $"{p}: more levels than units");
            Assert.IsTrue(p.Architecture.HiddenLayerSizes.All(w => w >= units), $"{p}: a layer narrower than {units} units");
        }
        CollectionAssert.AreEquivalent(new[] { 0, 2, 4, 6 }, draws.Select(p => p.NumberOfUnits).Distinct().ToArray());
        CollectionAssert.AreEquivalent(new[] { 0, 1, 2, 3, 5 }, draws.Select(p => p.NumberOfLevels).Distinct().ToArray());
        Assert.IsTrue(draws.Any(p => p.NumberOfUnits == 4 && p.Architecture.HiddenLayerSizes[0] == 10), "4 units on 10 channels: 3, 3, 2, 2");
        Assert.IsTrue(draws.Where(p => p.NumberOfUnits == 6).All(p => p.Architecture.HiddenLayerSizes[0] >= 10));
        Assert.IsTrue(draws.All(p => p.NumberOfEpochs == 10), "dimensions left null take the base options' values");
        // And each admitted draw trains: the trainer accepts it.
        foreach (var p in draws.Distinct().Take(12))
            Assert.IsNull(DvnEstimator.Inadmissible(p.ToOptions(space.BaseOptions, 1), 3), p.ToString());
    }

    [TestMethod]
    public void SevenTasksOnTheDefaultBackboneCanBeSweptThoughSevenDoesNotDivide240()
    {
        var space = new DvnSearchSpace();
        space.Check(tasks: 7);
        var drawn = space.Sample(new Random(1), tasks: 7);
        Assert.AreEqual(DvnArchitecture.Mlp(240, 240), drawn.Architecture);
        Assert.AreEqual(0, drawn.NumberOfUnits);
    }

    [TestMethod]
    public void ASingleTaskSweepUsesTheTrainersThreeDefaultUnitsSoItCanSearchTwoOrThreeLevels()
    {
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { TaskColumnName = null, Architecture = DvnArchitecture.Mlp(12) },
            NumberOfLevels = DvnSearch.Choice(2, 3),
        };
        var random = new Random(2);
        var levels = Enumerable.Range(0, 50).Select(_ => space.Sample(random, tasks: 1).NumberOfLevels).Distinct().Order().ToArray();
        CollectionAssert.AreEqual(new[] { 2, 3 }, levels);
    }

    [TestMethod]
    public void LevelWeightsAreSizedByTheLevelsDrawn()
    {
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfUnits = 4 },
            NumberOfLevels = DvnSearch.Choice(2, 3, 0),
            LevelWeights = DvnSearch.LevelWeights(0.5, 2),
        };
        var random = new Random(3);
        var draws = Enumerable.Range(0, 200).Select(_ => space.Sample(random, tasks: 3)).ToArray();
        foreach (var p in draws.Where(p => p.LevelWeights is not null))
        {
            Assert.AreEqual(p.NumberOfLevels == 0 ? 4 : p.NumberOfLevels, p.LevelWeights!.Count, p.ToString());
            Assert.IsTrue(p.LevelWeights.All(w => w is >= 0.5 and <= 2));
        }
        double equal = draws.Count(p => p.LevelWeights is null) / (double)draws.Length;
        Assert.IsTrue(equal is > 0.15 and < 0.35, $"equal weights drawn {equal:P0} of the time, a quarter expected");
        // A grid of 2 levels: equal, rising 0.5 -> 2, falling 2 -> 0.5.
        var grid = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfLevels = 2 },
            LearningRate = null, BatchSize = null, WeightDecay = null,
            LevelWeights = DvnSearch.LevelWeights(0.5, 2),
        }.Grid(tasks: 3).Select(g => g.Parameters!.LevelWeights?.ToArray()).ToArray();
        Assert.AreEqual(3, grid.Length);
        Assert.IsNull(grid[0]);
        CollectionAssert.AreEqual(new[] { 0.5, 2.0 }, grid[1]!.Select(w => Math.Round(w, 12)).ToArray());
        CollectionAssert.AreEqual(new[] { 2.0, 0.5 }, grid[2]!.Select(w => Math.Round(w, 12)).ToArray());
    }

    [TestMethod]
    public void SearchingLevelsWithFixedLevelWeightsDrawsOnlyTheLevelsTheWeightsFit()
    {
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), LevelWeights = new[] { 1.0, 2.0, 3.0 } },
            NumberOfLevels = DvnSearch.Choice(1, 2, 3),
        };
        var random = new Random(4);
        Assert.IsTrue(Enumerable.Range(0, 50).All(_ => space.Sample(random, tasks: 3).NumberOfLevels == 3));
    }

    [TestMethod]
    public void EveryTrainingMethodIsSearchable()
    {
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12) },
            DistillationWeight = DvnSearch.Uniform(0, 0.5),
            LearningRateSchedule = DvnSearch.Choice(DvnLearningRateSchedule.Constant, DvnLearningRateSchedule.Cosine),
            BatchOrder = DvnSearch.Choice(DvnBatchOrder.RoundRobin, DvnBatchOrder.Proportional),
            TaskOrder = DvnSearch.Choice(DvnTaskOrder.TaskKeys, DvnTaskOrder.Affinity),
            NumberOfEpochs = DvnSearch.Integers(2, 8, step: 3),
        };
        var random = new Random(5);
        var draws = Enumerable.Range(0, 200).Select(_ => space.Sample(random, tasks: 3)).ToArray();
        Assert.IsTrue(draws.All(p => p.DistillationWeight is >= 0 and <= 0.5));
        Assert.AreEqual(2, draws.Select(p => p.LearningRateSchedule).Distinct().Count());
        Assert.AreEqual(2, draws.Select(p => p.BatchOrder).Distinct().Count());
        Assert.AreEqual(2, draws.Select(p => p.TaskOrder).Distinct().Count());
        CollectionAssert.AreEquivalent(new[] { 2, 5, 8 }, draws.Select(p => p.NumberOfEpochs).Distinct().ToArray());
        var options = draws[0].ToOptions(space.BaseOptions, 3);
        Assert.AreEqual(draws[0].DistillationWeight, options.DistillationWeight);
        Assert.AreEqual(draws[0].LearningRateSchedule, options.LearningRateSchedule);
        Assert.AreEqual(draws[0].BatchOrder, options.BatchOrder);
        Assert.AreEqual(draws[0].TaskOrder, options.TaskOrder);
    }

    [TestMethod]
    public void ADependentDimensionSeesTheValuesDrawnBeforeIt()
    {
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12) },
            BatchSize = DvnSearch.Choice(16, 64),
            DistillationWeight = DvnSearch.Dependent(p => DvnSearch.Fixed(p.BatchSize / 128.0)),
        };
        var random = new Random(6);
        var draws = Enumerable.Range(0, 40).Select(_ => space.Sample(random, tasks: 3)).ToArray();
        Assert.IsTrue(draws.All(p => p.DistillationWeight == p.BatchSize / 128.0));
        Assert.AreEqual(2, draws.Select(p => p.BatchSize).Distinct().Count());
        Assert.ThrowsExactly<ArgumentException>(() => new DvnSearchSpace { NumberOfEpochs = DvnSearch.Dependent(p => DvnSearch.Fixed(3)) }.Check(3));
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
    public void AGridTriesEveryCombinationInOrderAndSkipsWhatTheTrainerRefusesWithItsReason()
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
        // The reason is the trainer's own: the same message a Fit with those options would give.
        var refused = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfLevels = 4 };
        var ml = new MLContext(1);
        var fit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            TestData.MlNetTasks.Pipeline(ml, refused).Fit(ml.Data.LoadFromEnumerable(TestData.MlNetTasks.Rows(10, 1))));
        Assert.AreEqual(fit.Message, skipped[0].Skipped);
        StringAssert.Contains(skipped[0].Combination, "levels 4");
    }

    [TestMethod]
    public void MlpWidthsTakeAnyWidthInTheRange()
    {
        var widths = DvnSearch.MlpWidths(layers: 2, minimumWidth: 20, maximumWidth: 26);
        var random = new Random(1);
        var context = new DvnSearchSpace().Defaults;
        var drawn = Enumerable.Range(0, 300).Select(_ => widths.Sample(random, context)).SelectMany(a => a.HiddenLayerSizes).Distinct().Order().ToArray();
        CollectionAssert.AreEqual(new[] { 20, 21, 22, 23, 24, 25, 26 }, drawn);
        CollectionAssert.AreEqual(new[] { 20, 23, 26 }, widths.Grid(context).Select(a => a.HiddenLayerSizes[0]).ToArray());
    }

    [TestMethod]
    public void LogUniformDrawsStayInRangeAndIncludeZeroAQuarterOfTheTime()
    {
        var decay = DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true);
        var random = new Random(5);
        var context = new DvnSearchSpace().Defaults;
        var values = Enumerable.Range(0, 4000).Select(_ => decay.Sample(random, context)).ToArray();
        double zeros = values.Count(v => v == 0) / (double)values.Length;
        Assert.IsTrue(zeros is > 0.22 and < 0.28, $"zero share {zeros}");
        var logs = values.Where(v => v > 0).Select(Math.Log10).ToArray();
        Assert.IsTrue(logs.All(l => l >= -6 && l <= -3));
        Assert.IsTrue(Math.Abs(logs.Average() + 4.5) < 0.1, "uniform in the logarithm: mean log10 near -4.5");
        CollectionAssert.AreEqual(new[] { 0, 1e-6, 1e-3 }, DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true, gridPoints: 2).Grid(context).Select(v => Math.Round(v, 12)).ToArray());
    }

    [TestMethod]
    public void ASpaceWithNothingThatCanTrainIsRejectedUpFrontWithTheTrainersReason()
    {
        var space = new DvnSearchSpace { NumberOfUnits = DvnSearch.Fixed(13), Architecture = DvnSearch.Fixed(DvnArchitecture.Mlp(12, 12)) };
        var error = Assert.ThrowsExactly<ArgumentException>(() => space.Check(tasks: 3));
        StringAssert.Contains(error.Message, "No combination of the search space can train on 3 tasks");
        StringAssert.Contains(error.Message, "13 units do not fit the narrowest hidden layer");
    }
}
