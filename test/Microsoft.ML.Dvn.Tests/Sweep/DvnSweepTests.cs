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
        CollectionAssert.AreEquivalent(MlNetTasks.TaskNames, first.Trials[0].Levels.Select(l => l.Task).Distinct().ToArray());
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
            var points = result.Trials.SelectMany(t => t.Levels.Where(l => l.Task == task.Task)
                .Select(l => new DvnFrontierPoint(t.Id, l.Level, l.ParameterCount, l.Accuracy))).ToArray();
            CollectionAssert.AreEqual(Microsoft.ML.Dvn.Sweep.ParetoFrontier.Of(points).ToArray(), task.Points.ToArray());
            // Larger points of the frontier are strictly more accurate; points of one size (the same level of two trials) tie.
            Assert.IsTrue(task.Points.Zip(task.Points.Skip(1)).All(p =>
                (p.First.ParameterCount < p.Second.ParameterCount && p.First.Accuracy < p.Second.Accuracy) ||
                (p.First.ParameterCount == p.Second.ParameterCount && p.First.Accuracy == p.Second.Accuracy)));
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

        CollectionAssert.AreEqual(new[] { DvnSweepTrialStatus.Failed, DvnSweepTrialStatus.Completed, DvnSweepTrialStatus.Failed },
            result.Trials.Select(t => t.Status).ToArray());
        StringAssert.Contains(result.Trials[0].Message, "BatchSize is 1");
        StringAssert.Contains(result.Trials[2].Message, "DvnNumericException");
        Assert.AreEqual(9, result.Trials[1].Levels.Count);
        Assert.AreEqual(2, result.Best()!.Id);
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
        Assert.AreEqual(6, fits.Count, "2 trials x 3 folds");
        var all = Enumerable.Range(0, rows.Count).ToHashSet();
        foreach (var trial in fits.Chunk(3))
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
        var result = sweep.Run(data);
        var best = result.Best()!;

        var refit = sweep.Refit(data, best);
        var plain = Pipeline(new MLContext(), best.ToOptions(sweep.SearchSpace.BaseOptions)).Fit(data);

        var refitScores = MlNetTasks.Vectors(refit.Transform(data), "Score");
        var plainScores = MlNetTasks.Vectors(plain.Transform(data), "Score");
        Assert.AreEqual(plainScores.Count, refitScores.Count);
        for (int i = 0; i < plainScores.Count; i++)
            CollectionAssert.AreEqual(plainScores[i], refitScores[i]);
        Assert.AreEqual(9, best.Seed);
        Assert.AreEqual(best.Parameters.LearningRate, refit.GetDvnTransformer().Training.LearningRate);
    }

    [TestMethod]
    public void ProgressGoesToTheMlContextLog()
    {
        var ml = new MLContext(1);
        var lines = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains("DvnSweep")) lock (lines) lines.Add(e.RawMessage); };
        Sweep(ml, new DvnSweepSettings { MaximumTrials = 2 }).Run(Data(ml));

        Assert.IsTrue(lines.Any(l => l.StartsWith("DVN sweep: Random")), string.Join("\n", lines));
        Assert.IsTrue(lines.Any(l => l.StartsWith("Base options (2 epochs")));
        Assert.IsTrue(lines.Any(l => l.StartsWith("Trial 2 (")));
        Assert.IsTrue(lines.Any(l => l.StartsWith("DVN sweep finished")));
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
            double accuracy = levels.Average(l => l.Accuracy);
            Scores.Add((accuracy, levels));
            return accuracy;
        }
    }
}
