using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

[TestClass]
public sealed class DvnSweepTests
{
    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(MlNetTasks.Rows(60, seed: 1));

    private static IEstimator<ITransformer> Pipeline(MLContext ml, DvnEstimator.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(options));

    private static DvnSearchSpace Space() => new()
    {
        BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 2, BatchSize = 16, LearningRate = 0.01 },
        LearningRate = DvnSearch.LogUniform(3e-3, 3e-2),
        BatchSize = DvnSearch.Choice(16, 32),
        WeightDecay = DvnSearch.Fixed(0.0),
    };

    private static DvnSweep Sweep(MLContext ml, DvnSweepSettings settings, DvnSearchSpace? space = null) =>
        new(ml, options => Pipeline(ml, options), space ?? Space(), settings);

    [TestMethod]
    public void RandomSearchIsDeterministicForASeedAndMeasuresEveryTaskAndLevel()
    {
        DvnSweepResult Run(int seed) => Sweep(new MLContext(1), new DvnSweepSettings { MaximumTrials = 3, Seed = seed, EvaluateBaseOptions = false }).Run(Data(new MLContext(1)));

        var first = Run(4);
        var again = Run(4);
        var other = Run(5);

        Assert.AreEqual(3, first.Trials.Count);
        Assert.IsTrue(first.Trials.All(t => t.Status == DvnSweepTrialStatus.Completed && t.Levels.Count == 9));
        CollectionAssert.AreEquivalent(MlNetTasks.TaskNames, first.Trials[0].Levels.Select(l => l.TaskName).Distinct().ToArray());
        CollectionAssert.AreEqual(first.Trials.Select(t => t.Parameters).ToArray(), again.Trials.Select(t => t.Parameters).ToArray());
        CollectionAssert.AreEqual(first.Trials.SelectMany(t => t.Levels).ToArray(), again.Trials.SelectMany(t => t.Levels).ToArray(),
            "same seed, same metrics, bit for bit");
        CollectionAssert.AreNotEqual(first.Trials.Select(t => t.Parameters).ToArray(), other.Trials.Select(t => t.Parameters).ToArray());
    }

    [TestMethod]
    public void TheFrontierOfEveryTaskIsComputedOverTheCompletedTrials()
    {
        var result = Sweep(new MLContext(1), new DvnSweepSettings { MaximumTrials = 3, Seed = 2 }).Run(Data(new MLContext(1)));

        Assert.AreEqual(3, result.Frontier.Count);
        foreach (var task in result.Frontier)
        {
            // The oracle: every point that no other point beats (no larger and more accurate, or smaller and as accurate).
            var points = result.Trials.SelectMany(t => t.Levels.Where(l => l.TaskName == task.TaskName).Select(l => (t.Id, l.Level, l.ParameterCount, l.MicroAccuracy))).ToArray();
            var expected = points.Where(p => !points.Any(q => (q.ParameterCount <= p.ParameterCount && q.MicroAccuracy > p.MicroAccuracy)
                                                              || (q.ParameterCount < p.ParameterCount && q.MicroAccuracy >= p.MicroAccuracy)))
                .OrderBy(p => p.ParameterCount).ThenBy(p => p.Id).ThenBy(p => p.Level).ToArray();
            CollectionAssert.AreEqual(expected, task.Points.Select(p => (p.Trial, p.Level, p.ParameterCount, p.MicroAccuracy)).ToArray());
        }
        Assert.AreEqual(0, result.BaseOptionsTrial!.Id);
        Assert.AreEqual(DvnSweepTrialStatus.Completed, result.BaseOptionsTrial.Status);
        Assert.AreEqual(0.01, result.BaseOptionsTrial.Parameters.LearningRate);
    }

    [TestMethod]
    public void AGridSweepRunsTheGridInOrderUpToTheTrialBudget()
    {
        var space = Space();
        space.LearningRate = DvnSearch.Choice(0.01, 0.02);
        space.NumberOfLevels = DvnSearch.Choice(1, 4);
        var result = Sweep(new MLContext(1), new DvnSweepSettings { Strategy = DvnSweepStrategy.Grid, MaximumTrials = 3, EvaluateBaseOptions = false }, space)
            .Run(Data(new MLContext(1)));

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, result.Trials.Select(t => t.Id).ToArray());
        CollectionAssert.AreEqual(new[] { (0.01, 16), (0.01, 32), (0.02, 16) }, result.Trials.Select(t => (t.Parameters.LearningRate, t.Parameters.BatchSize)).ToArray());
        Assert.IsTrue(result.Trials.All(t => t.Parameters.NumberOfLevels == 1 && t.Levels.Count == 3));
        Assert.AreEqual(2, result.Skipped.Count, "4 levels > 3 units, skipped before the third trial");
        StringAssert.Contains(result.Skipped[0].Reason, "between 1 and the number of units (3)");
    }

    [TestMethod]
    public void HalvingPromotesTheBestThirdByThePluggableObjectiveAndPrunesTheRest()
    {
        var objective = new RecordingObjective();
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(3);
        var completed = new List<DvnSweepTrial>();
        var result = Sweep(new MLContext(1), new DvnSweepSettings
        {
            Strategy = DvnSweepStrategy.Halving, MaximumTrials = 6, Objective = objective, Seed = 3, EvaluateBaseOptions = false,
            TrialCompleted = completed.Add,
        }, space).Run(Data(new MLContext(1)));

        // 6 configurations at 1 epoch, the best 2 go on to 3 epochs.
        Assert.AreEqual(6, result.Trials.Count);
        var pruned = result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Pruned).ToArray();
        var finished = result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Completed).ToArray();
        Assert.AreEqual(4, pruned.Length);
        Assert.AreEqual(2, finished.Length);
        Assert.IsTrue(pruned.All(t => t.Epochs == 1) && finished.All(t => t.Epochs == 3));
        Assert.IsTrue(finished.All(t => t.Parameters.NumberOfEpochs == 3));
        // Round one ranked six results; the pruned trials keep theirs, the other two went on and scored at least as high.
        var firstRound = objective.Scores.Take(6).ToArray();
        var prunedScores = firstRound.Where(s => pruned.Any(t => ReferenceEquals(t.Levels, s.Levels))).Select(s => s.Score).ToArray();
        var promotedScores = firstRound.Where(s => !pruned.Any(t => ReferenceEquals(t.Levels, s.Levels))).Select(s => s.Score).ToArray();
        Assert.AreEqual(4, prunedScores.Length);
        Assert.AreEqual(2, promotedScores.Length);
        Assert.IsTrue(promotedScores.Min() >= prunedScores.Max(), $"promoted {string.Join(", ", promotedScores)}; pruned {string.Join(", ", prunedScores)}");
        CollectionAssert.AreEquivalent(result.Trials.ToArray(), completed.ToArray(), "the callback saw every final outcome");
    }

    [TestMethod]
    [DataRow(DvnLearningRateSchedule.Constant)]
    [DataRow(DvnLearningRateSchedule.Cosine)]
    public void HalvingContinuesPromotedConfigurationsFromTheirCheckpointsAndEndsWithAPlainFit(DvnLearningRateSchedule schedule)
    {
        // 9 configurations, rounds of 1, 3 and 9 epochs: continuing trains 9 x 1 + 3 x 2 + 1 x 6 = 21 epochs, where
        // retraining every round from the start would train 9 + 9 + 9 = 27.
        var ml = new MLContext(1);
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(9);
        space.BaseOptions.LearningRateSchedule = schedule;
        int epochsRun = 0;
        var sweep = new DvnSweep(ml, options =>
        {
            // Counted by the trainer's own callback: every epoch that actually ran.
            options.EpochCompleted = _ => Interlocked.Increment(ref epochsRun);
            return Pipeline(ml, options);
        }, space, new DvnSweepSettings { Strategy = DvnSweepStrategy.Halving, MaximumTrials = 9, Seed = 3, EvaluateBaseOptions = false });
        var result = sweep.Run(Data(ml));

        Assert.AreEqual(21, epochsRun);
        Assert.AreEqual(21, result.TrainedEpochs);
        var finished = result.Trials.Single(t => t.Status == DvnSweepTrialStatus.Completed);
        Assert.AreEqual(9, finished.TrainedEpochs, "1 + 2 + 6 epochs");
        Assert.IsTrue(result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Pruned).All(t => t.TrainedEpochs == t.Epochs));

        // The oracle: the winner's configuration evaluated alone at 9 epochs by a grid sweep (one plain fit, no rounds).
        var alone = new DvnSearchSpace
        {
            BaseOptions = space.BaseOptions, LearningRate = DvnSearch.Fixed(finished.Parameters.LearningRate),
            BatchSize = DvnSearch.Fixed(finished.Parameters.BatchSize), WeightDecay = DvnSearch.Fixed(0.0), NumberOfEpochs = DvnSearch.Fixed(9),
        };
        var plain = Sweep(new MLContext(1), new DvnSweepSettings { Strategy = DvnSweepStrategy.Grid, MaximumTrials = 1, Seed = 3, EvaluateBaseOptions = false },
            alone).Run(Data(new MLContext(1)));
        CollectionAssert.AreEqual(plain.Trials.Single().Levels.ToArray(), finished.Levels.ToArray(), "the continued trial is bit-identical to a plain fit");
        Assert.AreEqual(9, plain.TrainedEpochs);
    }

    [TestMethod]
    public void AsyncHalvingPromotesBeforeARoundIsCompleteAndSpendsTheEpochsOfSynchronousHalving()
    {
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(9);
        (DvnSweepResult Result, List<int> Fits) Run(DvnSweepStrategy strategy)
        {
            var ml = new MLContext(1);
            var fits = new List<int>();
            int calls = 0;
            var result = new DvnSweep(ml, options =>
            {
                if (calls++ > 0)   // the first call is the sweep's probe, which trains nothing
                    fits.Add(options.NumberOfEpochs);
                return Pipeline(ml, options);
            }, space, new DvnSweepSettings { Strategy = strategy, MaximumTrials = 9, Seed = 3, EvaluateBaseOptions = false }).Run(Data(ml));
            return (result, fits);
        }

        var (asha, ashaFits) = Run(DvnSweepStrategy.AsyncHalving);
        var (sync, syncFits) = Run(DvnSweepStrategy.Halving);

        // Rounds of 1, 3 and 9 epochs. Synchronous halving runs all nine 1-epoch fits first; ASHA promotes as soon as
        // three results are in (the best of three), long before the ninth configuration starts.
        CollectionAssert.AreEqual(Enumerable.Repeat(1, 9).ToArray(), syncFits.Take(9).ToArray());
        int firstPromotion = ashaFits.IndexOf(3), lastNew = ashaFits.LastIndexOf(1);
        Assert.IsTrue(firstPromotion >= 0 && firstPromotion < lastNew, $"ASHA's fits: {string.Join(", ", ashaFits)}");
        Assert.AreEqual(3, ashaFits.IndexOf(3), "after three 1-epoch results the best of them goes on");
        // The same promotions in number (floor(9/3) and floor(3/3)), each continuing its checkpoint: 9 + 3 x 2 + 1 x 6.
        Assert.AreEqual(21, asha.TrainedEpochs);
        Assert.AreEqual(sync.TrainedEpochs, asha.TrainedEpochs);
        CollectionAssert.AreEquivalent(new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9 }, ashaFits);
        Assert.AreEqual(9, asha.Trials.Count);
        var completed = asha.Trials.Single(t => t.Status == DvnSweepTrialStatus.Completed);
        Assert.AreEqual(8, asha.Trials.Count(t => t.Status == DvnSweepTrialStatus.Pruned));
        Assert.AreEqual(9, completed.Epochs);
        Assert.AreEqual(9, completed.TrainedEpochs);

        // A result depends on its configuration and epochs only: the trial both strategies finished alike has the same levels.
        if (sync.Trials.SingleOrDefault(t => t.Status == DvnSweepTrialStatus.Completed && t.Id == completed.Id) is { } same)
            CollectionAssert.AreEqual(same.Levels.ToArray(), completed.Levels.ToArray());
    }

    [TestMethod]
    public void HalvingRoundsGrowByTheFactorUpToTheLargestEpochs()
    {
        int[] Rounds(int configurations, int factor, int epochs) => Microsoft.ML.Dvn.Sweep.SweepRun.HalvingRounds(configurations, factor, epochs);
        CollectionAssert.AreEqual(new[] { 1, 3, 9 }, Rounds(9, 3, 9));
        CollectionAssert.AreEqual(new[] { 1, 3, 9 }, Rounds(27, 3, 9), "no round below one epoch");
        CollectionAssert.AreEqual(new[] { 1, 2, 5 }, Rounds(9, 3, 5));
        CollectionAssert.AreEqual(new[] { 3, 6, 12 }, Rounds(4, 2, 12));
        CollectionAssert.AreEqual(new[] { 4 }, Rounds(1, 3, 4));
    }

    [TestMethod]
    public void AFailingTrialIsRecordedWithItsMessageAndTheSweepGoesOn()
    {
        var ml = new MLContext(1);
        var space = Space();
        space.BatchSize = DvnSearch.Choice(1, 16, 24);
        space.LearningRate = DvnSearch.Fixed(0.01);
        var sweep = new DvnSweep(ml, options => options.BatchSize == 24
                ? throw new DvnNumericException(1, 2, 1, 1, double.NaN)
                : Pipeline(ml, options),
            space, new DvnSweepSettings { Strategy = DvnSweepStrategy.Grid, MaximumTrials = 20, EvaluateBaseOptions = false });

        var result = sweep.Run(Data(ml));

        // Batch 1 is refused by the trainer's own rules before training: skipped with its reason, not a trial.
        Assert.AreEqual(1, result.Skipped.Count);
        StringAssert.Contains(result.Skipped[0].Reason, "BatchSize is 1");
        CollectionAssert.AreEqual(new[] { DvnSweepTrialStatus.Completed, DvnSweepTrialStatus.Failed }, result.Trials.Select(t => t.Status).ToArray());
        StringAssert.Contains(result.Trials[1].Message, "DvnNumericException");
        Assert.AreEqual(9, result.Trials[0].Levels.Count);
        Assert.AreEqual(1, result.Best()!.Id);
    }

    [TestMethod]
    public void TheCallersTokenStopsTheSweepAndWhatFinishedIsReturned()
    {
        using var cancel = new CancellationTokenSource();
        var settings = new DvnSweepSettings { MaximumTrials = 10, EvaluateBaseOptions = false, TrialCompleted = t => { if (t.Id == 2) cancel.Cancel(); } };
        var result = Sweep(new MLContext(1), settings).Run(Data(new MLContext(1)), cancel.Token);

        Assert.AreEqual(2, result.Trials.Count);
        StringAssert.Contains(result.StopReason, "token");
    }

    [TestMethod]
    public void TheMlContextsCancellationStopsTheTrialUnderWay()
    {
        var ml = new MLContext(1);
        // MLContext.CancelExecution is internal to ML.NET (AutoML calls it); a host application reaches it the same way.
        var cancelExecution = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(200);
        var settings = new DvnSweepSettings { MaximumTrials = 5, EvaluateBaseOptions = false };
        var sweep = new DvnSweep(ml, options =>
        {
            options.EpochCompleted = report => { if (report.Epoch == 2) cancelExecution.Invoke(ml, null); };
            return Pipeline(ml, options);
        }, space, settings);

        var result = sweep.Run(Data(ml));

        Assert.AreEqual(0, result.Trials.Count, "the first trial was stopped during its 200 epochs");
        StringAssert.Contains(result.StopReason, "MLContext");
    }

    [TestMethod]
    public void TheTimeBudgetStopsTheSweep()
    {
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(500);
        var result = Sweep(new MLContext(1), new DvnSweepSettings { MaximumTrials = 5, TimeBudget = TimeSpan.FromMilliseconds(300) }, space)
            .Run(Data(new MLContext(1)));

        Assert.IsNull(result.BaseOptionsTrial);
        Assert.AreEqual(0, result.Trials.Count);
        StringAssert.Contains(result.StopReason, "time budget");
        Assert.IsTrue(result.Elapsed < TimeSpan.FromSeconds(60), $"stopped within the trial: {result.Elapsed}");
    }

    [TestMethod]
    public void TransformsBeforeTheDvnAreFittedOnTheTrainingFoldsOnly()
    {
        var ml = new MLContext(1);
        var rows = MlNetTasks.Rows(40, seed: 1).Select((r, i) => new IdRow { Id = i, Features = r.Features, Label = r.Label, Task = r.Task }).ToList();
        var fits = new List<HashSet<int>>();
        var sweep = new DvnSweep(ml, options => new RecordingEstimator(ml, fits).Append(Pipeline(ml, options)), Space(),
            new DvnSweepSettings { MaximumTrials = 2, Evaluation = DvnSweepEvaluation.CrossValidation(3), EvaluateBaseOptions = false });

        var result = sweep.Run(ml.Data.LoadFromEnumerable(rows));

        Assert.AreEqual(2, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed));
        Assert.AreEqual(7, fits.Count, "the sweep's probe of the whole data, then 2 trials x 3 folds");
        var all = Enumerable.Range(0, rows.Count).ToHashSet();
        CollectionAssert.AreEquivalent(all.ToArray(), fits[0].ToArray(), "the probe reads the tasks of every row");
        foreach (var trial in fits.Skip(1).Chunk(3))
        {
            // The rows each fold's fit did not see are that fold's held-out rows: together they are every row, once.
            var heldOut = trial.Select(fit => all.Except(fit).ToArray()).ToArray();
            Assert.IsTrue(heldOut.All(h => h.Length > 0));
            CollectionAssert.AreEquivalent(all.ToArray(), heldOut.SelectMany(h => h).ToArray());
        }
    }

    [TestMethod]
    public void ARefitEqualsAPlainFitOfTheTrialsOptionsBitForBit()
    {
        var ml = new MLContext(1);
        var data = Data(ml);
        var sweep = Sweep(ml, new DvnSweepSettings { MaximumTrials = 2, Seed = 9, EvaluateBaseOptions = false });
        var best = sweep.Run(data).Best()!;

        var refit = sweep.Refit(data, best);
        // The plain fit a user writes by hand from the trial's values.
        var plain = Pipeline(new MLContext(), new DvnEstimator.Options
        {
            Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 2, BatchSize = best.Parameters.BatchSize,
            LearningRate = best.Parameters.LearningRate, WeightDecay = 0, Seed = 9,
        }).Fit(data);

        var refitScores = MlNetTasks.Vectors(refit.Transform(data), "Score");
        var plainScores = MlNetTasks.Vectors(plain.Transform(data), "Score");
        Assert.AreEqual(plainScores.Count, refitScores.Count);
        for (int i = 0; i < plainScores.Count; i++)
            CollectionAssert.AreEqual(plainScores[i], refitScores[i]);
        Assert.AreEqual(9, best.Seed);
    }

    [TestMethod]
    public void TestRefitsATrialPerSeedAndMeasuresItOnTheTestData()
    {
        var ml = new MLContext(1);
        var train = Data(ml);
        var test = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(20, seed: 5));
        var sweep = Sweep(ml, new DvnSweepSettings { MaximumTrials = 1, Seed = 9, EvaluateBaseOptions = false });
        var trial = sweep.Run(train).Trials[0];

        var tested = sweep.Test(train, test, new[] { trial }, new[] { 3, 4 }).Single();

        Assert.AreSame(trial, tested.Trial);
        CollectionAssert.AreEqual(new[] { 3, 4 }, tested.Seeds.ToArray());
        for (int i = 0; i < 2; i++)
        {
            var options = trial.ToOptions(sweep.SearchSpace.BaseOptions);
            options.Seed = tested.Seeds[i];
            var plain = Pipeline(new MLContext(), options).Fit(train);
            var dvn = plain.GetDvnTransformer();
            var expected = plain.EvaluateDvnLevels(test).Select(m => (dvn.GetTaskName(m.Task), m.Level, m.MicroAccuracy)).ToArray();
            CollectionAssert.AreEquivalent(expected, tested.LevelsBySeed[i].Select(l => (l.TaskName, l.Level, l.MicroAccuracy)).ToArray());
        }
        // The seeds' mean of each measure, worked out here; by task key, then level; each size as every seed measured it.
        foreach (var level in tested.Levels)
        {
            var bySeed = tested.LevelsBySeed.Select(s => s.Single(l => l.Task == level.Task && l.Level == level.Level)).ToArray();
            Assert.AreEqual(bySeed.Average(l => l.MicroAccuracy), level.MicroAccuracy, 1e-12);
            Assert.AreEqual(bySeed.Average(l => l.MacroAccuracy), level.MacroAccuracy, 1e-12);
            Assert.AreEqual(bySeed.Average(l => l.LogLoss), level.LogLoss, 1e-12);
            Assert.IsTrue(bySeed.All(l => l.ParameterCount == level.ParameterCount && l.TaskName == level.TaskName));
        }
        Assert.IsTrue(tested.LevelsBySeed.Any(s => s.Any(l => tested.Levels.Single(m => m.Task == l.Task && m.Level == l.Level).LogLoss != l.LogLoss)),
            "the seeds differ, so a mean is not any one seed's value");
        var order = new[] { (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3) };
        CollectionAssert.AreEqual(order, tested.Levels.Select(l => (l.Task, l.Level)).ToArray());
        foreach (var seed in tested.LevelsBySeed)
            CollectionAssert.AreEqual(order, seed.Select(l => (l.Task, l.Level)).ToArray());
    }

    [TestMethod]
    public void ProgressGoesToTheMlContextLog()
    {
        var ml = new MLContext(1);
        var lines = new List<string>();
        SweepLog.Capture(ml, lines);
        Sweep(ml, new DvnSweepSettings { MaximumTrials = 2 }).Run(Data(ml));

        Assert.IsTrue(lines.Any(l => l.StartsWith("DVN sweep: Random")), string.Join("\n", lines));
        Assert.IsTrue(lines.Any(l => l.StartsWith("Base options (2 epochs")));
        Assert.IsTrue(lines.Any(l => l.StartsWith("Trial 2 (")));
        Assert.IsTrue(lines.Any(l => l.StartsWith("DVN sweep finished")));
    }

    [TestMethod]
    public void APipelineThatMakesItsOwnTaskColumnCanBeSwept()
    {
        var ml = new MLContext(1);
        var space = Space();
        space.BaseOptions.TaskColumnName = "TaskKey";
        var sweep = new DvnSweep(ml, options => ml.Transforms.Conversion.MapValueToKey("TaskKey", "Task")
                .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
                .Append(ml.MulticlassClassification.Trainers.Dvn(options)),
            space, new DvnSweepSettings { MaximumTrials = 2, EvaluateBaseOptions = false });

        var result = sweep.Run(Data(ml));

        Assert.AreEqual(2, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed));
        CollectionAssert.AreEqual(MlNetTasks.TaskNames, result.Frontier.Select(f => f.TaskName).ToArray());
        CollectionAssert.AreEquivalent(MlNetTasks.TaskNames, result.SizeRanges.Keys.ToArray());
    }

    [TestMethod]
    public void EveryFoldKeepsEachTaskByNameOnTheUnitsOfTheWholeDatasKeys()
    {
        // One gamma row first, then alpha and beta interleaved, the other gamma rows last: the whole data numbers the tasks
        // gamma, alpha, beta, while a fold that holds out the first row numbers them alpha, beta, gamma.
        var rows = MlNetTasks.Rows(30, seed: 1);
        var gammas = rows.Where(r => r.Task == "gamma").ToList();
        var ordered = gammas.Take(1).Concat(rows.Where(r => r.Task != "gamma")).Concat(gammas.Skip(1)).ToList();
        var ml = new MLContext(1);
        var models = new List<ITransformer>();
        var sweep = new DvnSweep(ml, options => new RecordingFit(Pipeline(ml, options), models), Space(),
            new DvnSweepSettings { MaximumTrials = 1, Evaluation = DvnSweepEvaluation.CrossValidation(3), EvaluateBaseOptions = false, Seed = 1 });

        var result = sweep.Run(ml.Data.LoadFromEnumerable(ordered));

        Assert.AreEqual(3, models.Count, "one fit a fold");
        // K = T = L = 3 (DVN-METHOD.md's table): the task at position p of the order has home unit p, its level 1.
        var expectedHome = new Dictionary<string, int> { ["gamma"] = 1, ["alpha"] = 2, ["beta"] = 3 };
        foreach (var model in models)
        {
            var dvn = model.GetDvnTransformer();
            for (int key = 1; key <= 3; key++)
                CollectionAssert.AreEqual(new[] { expectedHome[dvn.GetTaskName(key)] }, dvn.GetLevels(key)[0].Units.ToArray(),
                    $"task '{dvn.GetTaskName(key)}' (key {key} in this fold)");
        }
        var trial = result.Trials.Single();
        Assert.AreEqual(DvnSweepTrialStatus.Completed, trial.Status);
        Assert.IsTrue(trial.Levels.All(l => l.Task == expectedHome[l.TaskName]), "levels carry the whole data's key of their task");
        CollectionAssert.AreEqual(new[] { "gamma", "alpha", "beta" }, trial.TaskUnitOrder!.ToArray());
    }

    [TestMethod]
    public void HalvingStoppedInItsSecondRoundKeepsThePromotedConfigurations()
    {
        using var cancel = new CancellationTokenSource();
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(3);
        var seen = new List<DvnSweepTrial>();
        var settings = new DvnSweepSettings
        {
            Strategy = DvnSweepStrategy.Halving, MaximumTrials = 6, Seed = 3, EvaluateBaseOptions = false,
            TrialCompleted = t => { seen.Add(t); if (t.Status == DvnSweepTrialStatus.Pruned) cancel.Cancel(); },
        };

        var result = Sweep(new MLContext(1), settings, space).Run(Data(new MLContext(1)), cancel.Token);

        CollectionAssert.AreEqual(Enumerable.Range(1, 6).ToArray(), result.Trials.Select(t => t.Id).ToArray(), "every configuration is recorded");
        var stopped = result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Stopped).ToArray();
        Assert.AreEqual(2, stopped.Length, "the two promoted configurations, stopped before their second round");
        Assert.AreEqual(4, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Pruned));
        Assert.IsTrue(stopped.All(t => t.Epochs == 1 && t.Levels.Count == 9), "with their first round's results");
        Assert.AreEqual(6, seen.Count, "the callback saw them too");
        StringAssert.Contains(result.StopReason, "token");
    }

    [TestMethod]
    public void AnObjectiveThatThrowsIsRecordedOnTheTrialsAndTheSweepFinishes()
    {
        var space = Space();
        space.NumberOfEpochs = DvnSearch.Fixed(3);
        var result = Sweep(new MLContext(1), new DvnSweepSettings
        {
            Strategy = DvnSweepStrategy.Halving, MaximumTrials = 3, Objective = new ThrowingObjective(), EvaluateBaseOptions = false,
        }, space).Run(Data(new MLContext(1)));

        Assert.AreEqual(3, result.Trials.Count);
        Assert.AreEqual(1, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed));
        Assert.IsTrue(result.Trials.All(t => t.Message!.Contains("objective 'throws' failed: InvalidOperationException: no score")), result.Trials[0].Message);
        Assert.IsNull(result.Best(), "no completed trial has a score");
        Assert.IsNotNull(result.Best(DvnSweepObjective.MeanAccuracy));
    }

    [TestMethod]
    public void ABudgetObjectiveWithoutABudgetForSomeTaskIsRejectedBeforeAnyTrial()
    {
        var trials = 0;
        var settings = new DvnSweepSettings
        {
            MaximumTrials = 2, Objective = DvnSweepObjective.AccuracyWithinBudgets(new Dictionary<string, long> { ["alpha"] = 1000 }),
            TrialCompleted = _ => trials++,
        };
        var error = Assert.ThrowsExactly<ArgumentException>(() => Sweep(new MLContext(1), settings).Run(Data(new MLContext(1))));
        StringAssert.Contains(error.Message, "no memory budget for task 'beta', 'gamma'");
        Assert.AreEqual(0, trials);
    }

    [TestMethod]
    public void ACallbackThatThrowsIsRecordedOnTheTrialAndTheSweepGoesOn()
    {
        var result = Sweep(new MLContext(1), new DvnSweepSettings
        {
            MaximumTrials = 3, EvaluateBaseOptions = false, TrialCompleted = t => throw new InvalidOperationException($"callback {t.Id}"),
        }).Run(Data(new MLContext(1)));

        Assert.AreEqual(3, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed));
        for (int i = 0; i < 3; i++)
            StringAssert.Contains(result.Trials[i].Message, $"TrialCompleted threw: InvalidOperationException: callback {i + 1}");
    }

    [TestMethod]
    public void AHeldOutLabelTheTrainingPartNeverSawCountsAsWrongInsteadOfFailingTheTrial()
    {
        var ml = new MLContext(1);
        var rows = MlNetTasks.Rows(40, seed: 1);
        rows.Add(new TaskRow { Features = rows[0].Features, Label = "alpha:rare", Task = "alpha" });
        // Two folds: the fold that holds out the rare row never saw its label in training.
        var result = Sweep(ml, new DvnSweepSettings
        {
            MaximumTrials = 1, EvaluateBaseOptions = false, Evaluation = DvnSweepEvaluation.CrossValidation(2),
        }).Run(ml.Data.LoadFromEnumerable(rows));

        Assert.AreEqual(DvnSweepTrialStatus.Completed, result.Trials.Single().Status, result.Trials.Single().Message);
    }

    [TestMethod]
    public void AFailedTrialReportsTheFitTimeItSpent()
    {
        var ml = new MLContext(1);
        var sweep = new DvnSweep(ml, options => Pipeline(ml, options).Append(new SlowFailure()), Space(),
            new DvnSweepSettings { MaximumTrials = 1, EvaluateBaseOptions = false });

        var trial = sweep.Run(Data(ml)).Trials.Single();

        Assert.AreEqual(DvnSweepTrialStatus.Failed, trial.Status);
        StringAssert.Contains(trial.Message, "after the DVN");
        Assert.IsTrue(trial.FitSeconds >= SlowFailure.Delay.TotalSeconds, $"fit seconds {trial.FitSeconds}");
    }

    /// <summary>Fits the inner pipeline and keeps the fitted model.</summary>
    private sealed class RecordingFit(IEstimator<ITransformer> inner, List<ITransformer> models) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            var model = inner.Fit(input);
            models.Add(model);
            return model;
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    /// <summary>A pipeline step that fails after a measured delay.</summary>
    private sealed class SlowFailure : IEstimator<ITransformer>
    {
        public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(300);

        public ITransformer Fit(IDataView input)
        {
            Thread.Sleep(Delay);
            throw new InvalidOperationException("A step after the DVN failed.");
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
    }

    public sealed class IdRow
    {
        public int Id { get; set; }

        [VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";
    }

    /// <summary>Records the Id column of the rows every fit sees; transforms nothing (a copy of the Id column).</summary>
    private sealed class RecordingEstimator(MLContext ml, List<HashSet<int>> fits) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            fits.Add(input.GetColumn<int>("Id").ToHashSet());
            return ml.Transforms.CopyColumns("IdCopy", "Id").Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => ml.Transforms.CopyColumns("IdCopy", "Id").GetOutputSchema(inputSchema);
    }

    /// <summary>Mean accuracy, recording every score it gives (a user's own objective).</summary>
    private sealed class RecordingObjective : DvnSweepObjective
    {
        public List<(double Score, IReadOnlyList<DvnSweepLevel> Levels)> Scores { get; } = new();

        public override string Name => "recorded mean accuracy";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field)
        {
            double accuracy = levels.Average(l => l.MicroAccuracy);
            Scores.Add((accuracy, levels));
            return accuracy;
        }
    }
}
