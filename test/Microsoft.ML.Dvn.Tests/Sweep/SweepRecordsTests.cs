using System.Globalization;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// The sweep's public records and settings on their own: every refusal of the settings and the evaluation with its
/// whole message, a trial's parameters as text, as a dictionary, as options and back, their equality value by value,
/// what a result adds up, and the two ways a pipeline factory can fail the sweep's probe. Expected texts are written
/// out by hand from the XML docs' wording.
/// </summary>
[TestClass]
public sealed class SweepRecordsTests
{
    private static readonly DvnSweepParameters Plain = new(0.01, 32, 5, 0.0, 0, 0, DvnArchitecture.Mlp(12, 12))
    {
        LearningRateSchedule = DvnLearningRateSchedule.Constant,
    };

    private static readonly DvnSweepParameters Everything = new(0.00125, 16, 9, 1e-4, 4, 3, DvnArchitecture.Mlp(24, 16))
    {
        LevelWeights = new[] { 1.0, 0.5, 0.12345 }, DistillationWeight = 0.75, LearningRateSchedule = DvnLearningRateSchedule.Cosine,
        BatchOrder = DvnBatchOrder.Proportional, TaskOrder = DvnTaskOrder.Affinity,
    };

    [TestMethod]
    public void SettingsOutOfRangeAreRefusedWithTheirValueAndWhatIsExpected()
    {
        void Refused(DvnSweepSettings settings, string parameter, string message) =>
            ArgumentAssert.Refuses<ArgumentOutOfRangeException>(() => settings.Check(), parameter, message);

        Refused(new DvnSweepSettings { MaximumTrials = 0 }, "MaximumTrials", "DvnSweepSettings.MaximumTrials is 0; expected at least 1.");
        Refused(new DvnSweepSettings { TimeBudget = TimeSpan.Zero }, "TimeBudget", "DvnSweepSettings.TimeBudget is 00:00:00; expected a positive time or null.");
        Refused(new DvnSweepSettings { TimeBudget = TimeSpan.FromSeconds(-1) }, "TimeBudget",
            "DvnSweepSettings.TimeBudget is -00:00:01; expected a positive time or null.");
        Refused(new DvnSweepSettings { ParallelTrials = 0 }, "ParallelTrials", "DvnSweepSettings.ParallelTrials is 0; expected at least 1.");
        Refused(new DvnSweepSettings { ThreadsPerTrial = 0 }, "ThreadsPerTrial", "DvnSweepSettings.ThreadsPerTrial is 0; expected null or at least 1.");
        Refused(new DvnSweepSettings { HalvingFactor = 1 }, "HalvingFactor", "DvnSweepSettings.HalvingFactor is 1; expected at least 2.");
        Refused(new DvnSweepSettings { Strategy = (DvnSweepStrategy)9 }, "Strategy",
            "DvnSweepSettings.Strategy is 9; expected Grid, Random, Halving or AsyncHalving.");
        Assert.AreEqual("Evaluation", Assert.ThrowsExactly<ArgumentNullException>(() => new DvnSweepSettings { Evaluation = null! }.Check()).ParamName);
        Assert.AreEqual("Objective", Assert.ThrowsExactly<ArgumentNullException>(() => new DvnSweepSettings { Objective = null! }.Check()).ParamName);

        // The first accepted value of each.
        var lowest = new DvnSweepSettings
        {
            MaximumTrials = 1, TimeBudget = TimeSpan.FromTicks(1), ParallelTrials = 1, ThreadsPerTrial = 1, HalvingFactor = 2,
            Strategy = DvnSweepStrategy.AsyncHalving,
        };
        Assert.AreSame(lowest, lowest.Check());
        var defaults = new DvnSweepSettings();
        Assert.AreSame(defaults, defaults.Check(), "the defaults");
    }

    [TestMethod]
    public void AnEvaluationHoldsOutAShareStrictlyBetweenZeroAndOneOrCrossValidatesOnAtLeastTwoFolds()
    {
        foreach (double share in new[] { 0.0, 1.0, -0.5, double.NaN })
            ArgumentAssert.Refuses<ArgumentOutOfRangeException>(() => DvnSweepEvaluation.HoldOut(share), "testFraction",
                $"The held-out share must be between 0 and 1; got {share}.");
        ArgumentAssert.Refuses<ArgumentOutOfRangeException>(() => DvnSweepEvaluation.CrossValidation(1), "folds", "Cross-validation needs at least 2 folds; got 1.");

        var holdOut = DvnSweepEvaluation.HoldOut(0.25, "Group");
        Assert.AreEqual((0.25, 1, "Group"), (holdOut.TestFraction, holdOut.NumberOfFolds, holdOut.SamplingKeyColumnName));
        Assert.AreEqual("hold-out 25 %", holdOut.ToString());
        var byDefault = DvnSweepEvaluation.HoldOut();
        Assert.AreEqual((0.2, 1, (string?)null), (byDefault.TestFraction, byDefault.NumberOfFolds, byDefault.SamplingKeyColumnName));
        var folds = DvnSweepEvaluation.CrossValidation(2);
        Assert.AreEqual((0.0, 2), (folds.TestFraction, folds.NumberOfFolds));
        Assert.AreEqual("2-fold cross-validation", folds.ToString());
        Assert.AreEqual(5, DvnSweepEvaluation.CrossValidation().NumberOfFolds);

        // The text goes into a study's identity: the same in every culture.
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
            Assert.AreEqual("hold-out 25 %", holdOut.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [TestMethod]
    public void ATrialsParametersReadAsTextNamingOnlyWhatDiffersFromTheDefaults()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Assert.AreEqual("learning rate 0.01, batch 32, 5 epochs, weight decay 0, units default, levels one per unit, Mlp(12, 12)", Plain.ToString());
            Assert.AreEqual("learning rate 0.00125, batch 16, 9 epochs, weight decay 0.0001, units 4, levels 3, Mlp(24, 16), level weights 1/0.5/0.123, " +
                            "distillation 0.75, cosine schedule, proportional batches, task order affinity", Everything.ToString());
            Assert.AreEqual("learning rate 0.01, batch 32, 5 epochs, weight decay 0, units default, levels one per unit, Mlp(12, 12), constantthencosine schedule",
                (Plain with { LearningRateSchedule = DvnLearningRateSchedule.ConstantThenCosine }).ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        var expected = new Dictionary<string, object>
        {
            ["learningRate"] = 0.00125, ["batchSize"] = 16, ["numberOfEpochs"] = 9, ["weightDecay"] = 1e-4, ["numberOfUnits"] = 4,
            ["numberOfLevels"] = 3, ["architecture"] = "Mlp(24, 16)", ["levelWeights"] = "1 0.5 0.123", ["distillationWeight"] = 0.75,
            ["learningRateSchedule"] = "Cosine", ["batchOrder"] = "Proportional", ["taskOrder"] = "Affinity",
        };
        CollectionAssert.AreEquivalent(expected.ToArray(), Everything.ToDictionary().ToArray());
        Assert.AreEqual("equal", Plain.ToDictionary()["levelWeights"]);
    }

    [TestMethod]
    public void ParametersAreEqualValueByValueAndEachValueCounts()
    {
        var same = Everything with { LevelWeights = new[] { 1.0, 0.5, 0.12345 } };
        Assert.AreEqual(Everything, same, "level weights compared by value, not by array");
        Assert.AreEqual(Everything.GetHashCode(), same.GetHashCode());
        Assert.IsFalse(Everything.Equals(null));

        var others = new[]
        {
            Everything with { LearningRate = 0.002 }, Everything with { BatchSize = 17 }, Everything with { NumberOfEpochs = 8 },
            Everything with { WeightDecay = 0 }, Everything with { NumberOfUnits = 5 }, Everything with { NumberOfLevels = 2 },
            Everything with { Architecture = DvnArchitecture.Mlp(24, 17) }, Everything with { LevelWeights = new[] { 1.0, 0.5, 0.5 } },
            Everything with { LevelWeights = null }, Everything with { DistillationWeight = 0 },
            Everything with { LearningRateSchedule = DvnLearningRateSchedule.Constant }, Everything with { BatchOrder = DvnBatchOrder.RoundRobin },
            Everything with { TaskOrder = DvnTaskOrder.TaskKeys },
        };
        foreach (var other in others)
        {
            Assert.AreNotEqual(Everything, other, other.ToString());
            Assert.AreNotEqual(other, Everything, other.ToString());
        }
        Assert.AreNotEqual(Plain, Plain with { LevelWeights = new[] { 1.0 } }, "null weights differ from any weights");
    }

    [TestMethod]
    public void ParametersSetEveryOptionTheyNameOnACopyOfTheBaseOptionsAndReadBackTheSame()
    {
        var baseOptions = new DvnEstimator.Options
        {
            FeatureColumnName = "Pixels", LearningRate = 0.5, BatchSize = 8, NumberOfEpochs = 1, WeightDecay = 0.5, NumberOfUnits = 7,
            NumberOfLevels = 7, Architecture = DvnArchitecture.Mlp(4), LevelWeights = new[] { 9.0 }, DistillationWeight = 0.1, Seed = 1,
        };
        var options = Everything.ToOptions(baseOptions, seed: 42);

        Assert.AreNotSame(baseOptions, options);
        Assert.AreEqual("Pixels", options.FeatureColumnName, "what the parameters do not name comes from the base options");
        Assert.AreEqual((0.00125, 16, 9, 1e-4, 4, 3, 0.75, 42), (options.LearningRate, options.BatchSize, options.NumberOfEpochs, options.WeightDecay,
            options.NumberOfUnits, options.NumberOfLevels, options.DistillationWeight, options.Seed));
        Assert.AreEqual(DvnArchitecture.Mlp(24, 16), options.Architecture);
        CollectionAssert.AreEqual(new[] { 1.0, 0.5, 0.12345 }, options.LevelWeights);
        Assert.AreEqual((DvnLearningRateSchedule.Cosine, DvnBatchOrder.Proportional, DvnTaskOrder.Affinity),
            (options.LearningRateSchedule, options.BatchOrder, options.TaskOrder));
        Assert.AreEqual((0.5, 8, 1, 1), (baseOptions.LearningRate, baseOptions.BatchSize, baseOptions.NumberOfEpochs, baseOptions.Seed), "the base options are left as they were");
        CollectionAssert.AreEqual(new[] { 9.0 }, baseOptions.LevelWeights);
        Assert.IsNull(Plain.ToOptions(baseOptions, 1).LevelWeights, "no weights: every level weighs 1");

        // Read back from the options: the same parameters (a second route through every value).
        Assert.AreEqual(Everything, DvnSweepParameters.From(options));
        Assert.AreEqual(Plain, DvnSweepParameters.From(Plain.ToOptions(baseOptions, 3)));
        Assert.AreEqual("baseOptions", Assert.ThrowsExactly<ArgumentNullException>(() => Everything.ToOptions(null!, 1)).ParamName);
        Assert.AreEqual("options", Assert.ThrowsExactly<ArgumentNullException>(() => DvnSweepParameters.From(null!)).ParamName);
    }

    [TestMethod]
    public void AResultCountsTheBaseOptionsEpochsAndNamesTheBestByAnyObjective()
    {
        // Two trials of 2 epochs and the base options at the space's most (2) on one hold-out split: 2 + 2 + 2 epochs.
        var ml = new MLContext(1);
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 2, BatchSize = 16 },
            LearningRate = DvnSearch.Choice(0.003, 0.03), BatchSize = DvnSearch.Fixed(16), WeightDecay = DvnSearch.Fixed(0.0),
        };
        var result = new DvnSweep(ml, o => MlNetTasks.Pipeline(ml, o), space,
            new DvnSweepSettings { Strategy = DvnSweepStrategy.Grid, MaximumTrials = 2, Seed = 5 }).Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(40, seed: 1)));

        Assert.AreEqual(6, result.TrainedEpochs);
        Assert.AreEqual(2, result.BaseOptionsTrial!.TrainedEpochs);
        Assert.AreEqual((DvnSweepStrategy.Grid, 5), (result.Strategy, result.Seed));
        Assert.AreSame(DvnSweepObjective.Frontier, result.Objective);
        // The best by mean accuracy, worked out from the trials' own levels.
        var byMean = result.Trials.OrderByDescending(t => t.Levels.Average(l => l.MicroAccuracy)).ThenBy(t => t.Id).First();
        Assert.AreSame(byMean, result.Best(DvnSweepObjective.MeanAccuracy));
    }

    [TestMethod]
    public void RunRefitAndTestRefuseMissingArgumentsAndTestNeedsASeed()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(10, seed: 1));
        var sweep = new DvnSweep(ml, o => MlNetTasks.Pipeline(ml, o));
        var trial = new DvnSweepTrial(1, DvnSweepTrialStatus.Completed, Plain, 5, 0, 0, Array.Empty<DvnSweepLevel>(), null, 1);
        string Missing(Action call) => Assert.ThrowsExactly<ArgumentNullException>(call).ParamName!;

        Assert.AreEqual("data", Missing(() => sweep.Run(null!)));
        Assert.AreEqual("data", Missing(() => sweep.Refit(null!, trial)));
        Assert.AreEqual("trial", Missing(() => sweep.Refit(data, null!)));
        Assert.AreEqual("trainData", Missing(() => sweep.Test(null!, data, new[] { trial }, new[] { 1 })));
        Assert.AreEqual("testData", Missing(() => sweep.Test(data, null!, new[] { trial }, new[] { 1 })));
        Assert.AreEqual("trials", Missing(() => sweep.Test(data, data, null!, new[] { 1 })));
        Assert.AreEqual("seeds", Missing(() => sweep.Test(data, data, new[] { trial }, null!)));
        ArgumentAssert.Refuses<ArgumentException>(() => sweep.Test(data, data, new[] { trial }, Array.Empty<int>()), "seeds", "Test needs at least one seed.");
        Assert.AreEqual("mlContext", Missing(() => new DvnSweep(null!, o => MlNetTasks.Pipeline(ml, o))));
        Assert.AreEqual("pipeline", Missing(() => new DvnSweep(ml, null!)));
    }

    [TestMethod]
    public void WithoutASeedOfItsOwnTheSweepTakesTheMlContextsAndItsLogSaysHowItSearches()
    {
        var ml = new MLContext(seed: 7);
        var log = new List<string>();
        SweepLog.Capture(ml, log);
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 1, BatchSize = 16 },
            LearningRate = DvnSearch.Fixed(0.01), BatchSize = DvnSearch.Fixed(16), WeightDecay = DvnSearch.Fixed(0.0),
        };
        var result = new DvnSweep(ml, o => MlNetTasks.Pipeline(ml, o), space,
                new DvnSweepSettings { MaximumTrials = 2, TimeBudget = TimeSpan.FromMinutes(90), Objective = DvnSweepObjective.MeanAccuracy, EvaluateBaseOptions = false })
            .Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 1)));

        Assert.AreEqual(7, result.Seed);
        Assert.IsTrue(result.Trials.All(t => t.Seed == 7));
        Assert.IsNull(result.BaseOptionsTrial, "not asked for");
        Assert.AreEqual($"DVN sweep: Random, at most 2 trials or 90 minutes, hold-out 20 %, objective mean accuracy, seed 7, " +
                        "3 tasks (alpha, beta, gamma).", log.First(l => l.StartsWith("DVN sweep: ")));
        StringAssert.Matches(log.Single(l => l.StartsWith("DVN sweep finished")), new System.Text.RegularExpressions.Regex(
            @"^DVN sweep finished in [0-9]+\.[0-9] s: 2 trials \(2 completed, 0 pruned, 0 stopped, 0 failed\)\.$"));
    }

    [TestMethod]
    public void APipelineFactoryThatReturnsNullOrDoesNotPassItsOptionsOnIsRefusedBeforeAnyTrial()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(10, seed: 1));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new DvnSweep(ml, _ => null!).Run(data));
        Assert.AreEqual("The sweep's pipeline factory returned null instead of an estimator.", error.Message);

        int fits = 0;
        error = Assert.ThrowsExactly<InvalidOperationException>(() => new DvnSweep(ml, _ =>
        {
            fits++;
            return MlNetTasks.Pipeline(ml, MlNetTasks.Options(epochs: 1));
        }, null, new DvnSweepSettings { MaximumTrials = 1 }).Run(data));
        Assert.AreEqual("The sweep's pipeline was fitted without training a DVN with the options the sweep gave it: the factory must pass " +
                        "its argument to mlContext.MulticlassClassification.Trainers.Dvn(options).", error.Message);
        Assert.AreEqual(1, fits, "only the probe");
    }
}
