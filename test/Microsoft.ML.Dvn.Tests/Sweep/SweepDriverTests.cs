using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// The sweep's driver pinned where DvnSweepTests only runs it end to end: what a halving round adds to a trial's costs
/// over folds and rounds, what it logs and in which order it reports, how a stop in a round or in asynchronous halving
/// is recorded, which thread count every fit gets, the training states a study keeps between rounds, and how messages
/// from two sources are joined. Expected values are counted by hand from the settings (the comments show the sums),
/// or read from a second route: the MLContext's log, the study's tables read with plain SQL, the options each fit got.
/// </summary>
[TestClass]
public sealed class SweepDriverTests
{
    private static readonly Regex TrialLine = new(@"^Trial (\d+) \((\d+) epochs; .*\): mean accuracy ([0-9.]+) ?%, fit ([0-9.]+) s\.$");

    private string _directory = null!;

    [TestInitialize]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dvn-driver-").FullName;

    [TestCleanup]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static DvnSearchSpace Space(int epochs) => new()
    {
        BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 2, BatchSize = 16 },
        LearningRate = DvnSearch.LogUniform(3e-3, 3e-2),
        BatchSize = DvnSearch.Choice(16, 32),
        WeightDecay = DvnSearch.Fixed(0.0),
        NumberOfEpochs = DvnSearch.Fixed(epochs),
    };

    /// <summary>
    /// Runs a sweep on the generated three tasks (40 rows each); <paramref name="fit"/> sees the options of every fit
    /// after the sweep's probe (the first call, which trains nothing) and may change them before the pipeline is built.
    /// </summary>
    private static DvnSweepResult Run(DvnSweepSettings settings, DvnSearchSpace space, Action<DvnEstimator.Options>? fit = null,
        List<string>? log = null, CancellationToken cancel = default, Func<MLContext, DvnEstimator.Options, IEstimator<ITransformer>>? pipeline = null)
    {
        var ml = new MLContext(1);
        if (log is not null)
            SweepLog.Capture(ml, log);
        int calls = 0;
        var sweep = new DvnSweep(ml, options =>
        {
            if (Interlocked.Increment(ref calls) > 1)
                fit?.Invoke(options);
            return (pipeline ?? MlNetTasks.Pipeline)(ml, options);
        }, space, settings);
        return sweep.Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(40, seed: 1)), cancel);
    }

    [TestMethod]
    public void HalvingAddsEveryRoundsCostsOverItsFoldsLogsItsPromotionsAndReportsEachRoundInTrialOrder()
    {
        // 6 configurations, factor 3, at most 3 epochs: rounds of 1 and 3 epochs; the first keeps ceil(6 / 3) = 2.
        var log = new List<string>();
        var reported = new List<DvnSweepTrial>();
        var result = Run(new DvnSweepSettings
        {
            Strategy = DvnSweepStrategy.Halving, MaximumTrials = 6, Seed = 3, EvaluateBaseOptions = false,
            Evaluation = DvnSweepEvaluation.CrossValidation(2), TrialCompleted = reported.Add,
        }, Space(3), log: log);

        var completed = result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Completed).Select(t => t.Id).ToArray();
        var pruned = result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Pruned).Select(t => t.Id).ToArray();
        Assert.AreEqual(2, completed.Length);
        Assert.AreEqual(4, pruned.Length);
        // Reported as each round ends, in trial order within it: the 4 pruned after round 1, then the 2 completed.
        CollectionAssert.AreEqual(pruned.Concat(completed).ToArray(), reported.Select(t => t.Id).ToArray());
        Assert.IsTrue(log.Contains($"Halving round 1/2 (1 epochs): promoted trials {completed[0]}, {completed[1]}."), string.Join("\n", log));

        // Epochs trained, over both folds: a pruned trial 2 x 1; a completed one 2 x 1, then 2 x (3 - 1) from its checkpoints.
        foreach (var trial in result.Trials)
            Assert.AreEqual(trial.Status == DvnSweepTrialStatus.Completed ? 6 : 2, trial.TrainedEpochs, $"trial {trial.Id}");
        Assert.AreEqual(4 * 2 + 2 * 6, result.TrainedEpochs);
        Assert.IsNull(result.BaseOptionsTrial, "not asked for");
        StringAssert.Matches(log.Single(l => l.StartsWith("DVN sweep finished")), new Regex(@"^DVN sweep finished in [0-9]+\.[0-9] s: 6 trials \(2 completed, 4 pruned, 0 stopped, 0 failed\)\.$"));

        // The log has one line a round of a trial, with its fit time (0.1 s) and mean accuracy (0.01 %): a trial's
        // fit seconds are the sum of its rounds', and its accuracy line is the mean of its last round's levels.
        var lines = log.Select(l => TrialLine.Match(l)).Where(m => m.Success)
            .Select(m => (Id: int.Parse(m.Groups[1].Value), Epochs: int.Parse(m.Groups[2].Value),
                Accuracy: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), Fit: double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)))
            .ToArray();
        Assert.AreEqual(6 + 2, lines.Length, string.Join("\n", log));
        foreach (var trial in result.Trials)
        {
            var rounds = lines.Where(l => l.Id == trial.Id).ToArray();
            CollectionAssert.AreEqual(trial.Status == DvnSweepTrialStatus.Completed ? new[] { 1, 3 } : new[] { 1 }, rounds.Select(r => r.Epochs).ToArray());
            Assert.AreEqual(rounds.Sum(r => r.Fit), trial.FitSeconds, 0.05 * rounds.Length + 1e-9, $"trial {trial.Id}");
            Assert.AreEqual(100 * trial.Levels.Average(l => l.MicroAccuracy), rounds[^1].Accuracy, 0.005 + 1e-9, $"trial {trial.Id}");
            Assert.IsTrue(trial.FitSeconds > 0, $"trial {trial.Id}: {trial.FitSeconds} s of fits");
            Assert.IsTrue(trial.EvaluationSeconds > 0, $"trial {trial.Id}: {trial.EvaluationSeconds} s of evaluation");
        }
    }

    [TestMethod]
    public void HalvingStoppedInItsFirstRoundRecordsTheConfigurationsThatFinishedItAsStopped()
    {
        // Stopped as the third configuration's fit starts: the first two finished round 1 (not ranked: the round is cut),
        // the third is stopped during its fit, the rest never start.
        using var cancel = new CancellationTokenSource();
        int fits = 0;
        var log = new List<string>();
        var reported = new List<DvnSweepTrial>();
        var result = Run(new DvnSweepSettings
            {
                Strategy = DvnSweepStrategy.Halving, MaximumTrials = 6, Seed = 3, EvaluateBaseOptions = false, TrialCompleted = reported.Add,
            }, Space(3), fit: _ => { if (++fits == 3) cancel.Cancel(); }, log: log, cancel: cancel.Token);

        Assert.AreEqual(3, fits);
        CollectionAssert.AreEqual(new[] { (1, DvnSweepTrialStatus.Stopped, 1), (2, DvnSweepTrialStatus.Stopped, 1) },
            result.Trials.Select(t => (t.Id, t.Status, t.Epochs)).ToArray());
        Assert.IsTrue(result.Trials.All(t => t.Levels.Count == 9 && t.Message is null));
        CollectionAssert.AreEqual(new[] { 1, 2 }, reported.Select(t => t.Id).ToArray());
        Assert.IsTrue(log.Contains("Trial 3 stopped: the sweep was cancelled or ran out of time."), string.Join("\n", log));
        Assert.AreEqual("cancelled by the caller's token", result.StopReason);
        StringAssert.Matches(log.Single(l => l.StartsWith("DVN sweep finished")), new Regex(
            @"^DVN sweep finished in [0-9]+\.[0-9] s: 2 trials \(0 completed, 0 pruned, 2 stopped, 0 failed\); stopped: cancelled by the caller's token\.$"));
    }

    [TestMethod]
    public void AsynchronousHalvingStoppedRecordsItsUnfinishedConfigurationsAsStoppedNotPruned()
    {
        // ASHA's first jobs are three 1-epoch fits (DvnSweepTests); stopped as the third starts: trials 1 and 2 have
        // their first round only, which is not their last (9 epochs), so they are stopped, not pruned.
        using var cancel = new CancellationTokenSource();
        int fits = 0;
        var result = Run(new DvnSweepSettings { Strategy = DvnSweepStrategy.AsyncHalving, MaximumTrials = 9, Seed = 3, EvaluateBaseOptions = false },
            Space(9), fit: _ => { if (++fits == 3) cancel.Cancel(); }, cancel: cancel.Token);

        CollectionAssert.AreEqual(new[] { (1, DvnSweepTrialStatus.Stopped, 1), (2, DvnSweepTrialStatus.Stopped, 1) },
            result.Trials.Select(t => (t.Id, t.Status, t.Epochs)).ToArray());
        Assert.AreEqual("cancelled by the caller's token", result.StopReason);
    }

    [TestMethod]
    public void AnObjectivesErrorAndACallbacksErrorAreBothKeptInTheTrialsMessage()
    {
        // Halving ranks with the objective (which fails for every trial) before it reports, then the callback throws.
        var log = new List<string>();
        var result = Run(new DvnSweepSettings
        {
            Strategy = DvnSweepStrategy.Halving, MaximumTrials = 3, Objective = new ThrowingObjective(), EvaluateBaseOptions = false,
            TrialCompleted = t => throw new InvalidOperationException($"callback {t.Id}"),
        }, Space(3), log: log);

        Assert.AreEqual(3, result.Trials.Count);
        foreach (var trial in result.Trials)
        {
            Assert.AreEqual($"the objective 'throws' failed: InvalidOperationException: no score; " +
                            $"DvnSweepSettings.TrialCompleted threw: InvalidOperationException: callback {trial.Id}", trial.Message);
            Assert.AreEqual(1, log.Count(l => l == $"DvnSweepSettings.TrialCompleted threw for trial {trial.Id}: InvalidOperationException: callback {trial.Id}"),
                string.Join("\n", log));
        }
    }

    [TestMethod]
    public void EveryFitGetsTheThreadsPerTrialWhereTheBaseOptionsLeaveThemOpen()
    {
        // The fits' own thread count is put back to null before the pipeline is built, so that this test leaves
        // libtorch's process-wide count as it was (ParallelTrialsTests).
        int?[] Seen(int parallel, int? threadsPerTrial, int? baseThreads)
        {
            var seen = new List<int?>();
            var space = Space(2);
            space.BaseOptions.NumberOfThreads = baseThreads;
            Run(new DvnSweepSettings { MaximumTrials = 2, Seed = 1, ParallelTrials = parallel, ThreadsPerTrial = threadsPerTrial }, space,
                fit: options => { lock (seen) seen.Add(options.NumberOfThreads); options.NumberOfThreads = null; });
            Assert.AreEqual(3, seen.Count, "the base options and two trials");
            return seen.Distinct().ToArray();
        }

        CollectionAssert.AreEqual(new int?[] { null }, Seen(parallel: 1, threadsPerTrial: null, baseThreads: null), "libtorch's default");
        CollectionAssert.AreEqual(new int?[] { 1 }, Seen(parallel: 2, threadsPerTrial: null, baseThreads: null), "one a trial when trials share the cores");
        CollectionAssert.AreEqual(new int?[] { 3 }, Seen(parallel: 2, threadsPerTrial: 3, baseThreads: null));
        CollectionAssert.AreEqual(new int?[] { 3 }, Seen(parallel: 1, threadsPerTrial: 3, baseThreads: null));
        CollectionAssert.AreEqual(new int?[] { 2 }, Seen(parallel: 1, threadsPerTrial: 3, baseThreads: 2), "the base options' own count wins");
    }

    [TestMethod]
    public void AStudyIsBoundToTheThreadCountItsFitsRanWith()
    {
        DvnSweepResult Sweep(DvnStudy study, int parallel, int? threadsPerTrial, int? baseThreads, List<int?> fits)
        {
            var space = Space(2);
            space.BaseOptions.NumberOfThreads = baseThreads;
            return Run(new DvnSweepSettings { MaximumTrials = 2, Seed = 1, ParallelTrials = parallel, ThreadsPerTrial = threadsPerTrial, Study = study },
                space, fit: options => { lock (fits) fits.Add(options.NumberOfThreads); options.NumberOfThreads = null; });
        }

        // Two trials at once without a count: one thread a fit, recorded; one at a time would use libtorch's default.
        var shared = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"), "shared");
        Sweep(shared, parallel: 2, threadsPerTrial: null, baseThreads: null, new List<int?>());
        var fits = new List<int?>();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Sweep(shared, parallel: 1, threadsPerTrial: null, baseThreads: null, fits));
        StringAssert.Contains(error.Message, "its settings differ: it was created with 'threads a trial 1' where this sweep has 'threads a trial libtorch's default'");
        Assert.AreEqual(0, fits.Count);

        // The base options' count is what the fits ran with, whatever ThreadsPerTrial says: the study is the same sweep.
        var fixedThreads = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"), "fixed");
        Sweep(fixedThreads, parallel: 1, threadsPerTrial: 3, baseThreads: 2, new List<int?>());
        var again = Sweep(fixedThreads, parallel: 1, threadsPerTrial: 1, baseThreads: 2, fits);
        Assert.AreEqual(0, fits.Count, "every result taken from the study");
        Assert.AreEqual(2, again.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed));
        error = Assert.ThrowsExactly<InvalidOperationException>(() => Sweep(fixedThreads, parallel: 1, threadsPerTrial: 3, baseThreads: 1, fits));
        StringAssert.Contains(error.Message, "it was created with 'threads a trial 2' where this sweep has 'threads a trial 1'");
    }

    [TestMethod]
    public void AnOperationCanceledExceptionOfTheUsersOwnPipelineFailsItsTrialAndTheSweepGoesOn()
    {
        var space = Space(2);
        space.LearningRate = DvnSearch.Fixed(0.01);
        var log = new List<string>();
        var result = Run(new DvnSweepSettings { Strategy = DvnSweepStrategy.Grid, MaximumTrials = 2, EvaluateBaseOptions = false }, space, log: log,
            pipeline: (ml, options) => options.BatchSize == 16
                ? MlNetTasks.Pipeline(ml, options)
                : MlNetTasks.Pipeline(ml, options).Append(new ThrowingFit(new OperationCanceledException("the pipeline's own timeout"))));

        CollectionAssert.AreEqual(new[] { DvnSweepTrialStatus.Completed, DvnSweepTrialStatus.Failed }, result.Trials.Select(t => t.Status).ToArray());
        Assert.AreEqual("OperationCanceledException: the pipeline's own timeout", result.Trials[1].Message);
        Assert.IsNull(result.StopReason, "the sweep was not stopped");
        StringAssert.Matches(log.Single(l => l.StartsWith("DVN sweep finished")), new Regex(@"^DVN sweep finished in [0-9]+\.[0-9] s: 2 trials \(1 completed, 0 pruned, 0 stopped, 1 failed\)\.$"));
        Assert.IsTrue(log.Contains($"Trial 2 failed ({result.Trials[1].Parameters}): OperationCanceledException: the pipeline's own timeout"),
            string.Join("\n", log));
    }

    [TestMethod]
    public void AHalvingStudyKeepsAConfigurationsTrainingStateOnlyWhileARoundContinuesIt()
    {
        // Rounds of 1 and 3 epochs over 6 configurations, hold-out (fold 0). The study's states, read with plain SQL
        // at every 3-epoch fit and at every report: the 2 promoted configurations' 1-epoch states while round 2 runs
        // (the 4 pruned ones' dropped when round 1 was ranked, before its reports), none once round 2 is in.
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"));
        var atFits = new List<IReadOnlyList<(int Trial, int Epochs, int Fold)>>();
        var atReports = new List<(DvnSweepTrial Trial, IReadOnlyList<(int Trial, int Epochs, int Fold)> States)>();
        var result = Run(new DvnSweepSettings
            {
                Strategy = DvnSweepStrategy.Halving, MaximumTrials = 6, Seed = 3, EvaluateBaseOptions = false, Study = study,
                TrialCompleted = t => atReports.Add((t, StudyTables.Checkpoints(study))),
            }, Space(3), fit: options => { if (options.NumberOfEpochs == 3) atFits.Add(StudyTables.Checkpoints(study)); });

        var promoted = result.Trials.Where(t => t.Status == DvnSweepTrialStatus.Completed).Select(t => (t.Id, 1, 0)).ToArray();
        Assert.AreEqual(2, promoted.Length);
        Assert.AreEqual(2, atFits.Count);
        foreach (var states in atFits)
            CollectionAssert.AreEqual(promoted, states.ToArray());
        Assert.AreEqual(6, atReports.Count);
        foreach (var (trial, states) in atReports)
            CollectionAssert.AreEqual(trial.Status == DvnSweepTrialStatus.Pruned ? promoted : Array.Empty<(int, int, int)>(), states.ToArray(), $"at trial {trial.Id}");
        Assert.AreEqual(0, StudyTables.Checkpoints(study).Count);
    }

    [TestMethod]
    public void AHalvingStudyStoppedInItsLastRoundKeepsTheStatesOfTheConfigurationsStillToFinishIt()
    {
        // Rounds of 1 and 3 epochs over 6 configurations; stopped as the second 3-epoch fit starts (the eighth fit):
        // the first promoted configuration completed its last round, the second is stopped with its first round's result,
        // and the study keeps both 1-epoch states (the round was cut, so nothing that continues them is dropped yet).
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"));
        using var stop = new CancellationTokenSource();
        int fits = 0;
        var result = Run(new DvnSweepSettings { Strategy = DvnSweepStrategy.Halving, MaximumTrials = 6, Seed = 3, EvaluateBaseOptions = false, Study = study },
            Space(3), fit: _ => { if (++fits == 8) stop.Cancel(); }, cancel: stop.Token);

        Assert.AreEqual(8, fits);
        var promoted = result.Trials.Where(t => t.Status is DvnSweepTrialStatus.Completed or DvnSweepTrialStatus.Stopped).OrderBy(t => t.Id).ToArray();
        Assert.AreEqual(2, promoted.Length);
        Assert.AreEqual(4, result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Pruned));
        var completed = promoted.Single(t => t.Status == DvnSweepTrialStatus.Completed);
        var stopped = promoted.Single(t => t.Status == DvnSweepTrialStatus.Stopped);
        Assert.AreEqual((3, 1), (completed.Epochs, stopped.Epochs));
        CollectionAssert.AreEqual(promoted.Select(t => (t.Id, 1, 0)).ToArray(), StudyTables.Checkpoints(study).ToArray());
    }

    [TestMethod]
    public void AnAsynchronousHalvingStudyKeepsEveryUnfinishedRoundsStateUntilTheSweepEnds()
    {
        // Rounds of 1, 3 and 9 epochs over 9 configurations, one job at a time: the study changes nothing in the jobs
        // (the same fits as without one). At the first promotion (the first 3-epoch fit) the study holds the 1-epoch
        // state of every configuration started so far (fresh configurations start in order); at the end (the reports
        // come after it) nothing is kept.
        var settings = new DvnSweepSettings { Strategy = DvnSweepStrategy.AsyncHalving, MaximumTrials = 9, Seed = 3, EvaluateBaseOptions = false };
        var alone = new List<int>();
        Run(settings, Space(9), fit: options => alone.Add(options.NumberOfEpochs));

        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"));
        var atFirstPromotion = new List<IReadOnlyList<(int Trial, int Epochs, int Fold)>>();
        var atReports = new List<int>();
        var reported = new List<int>();
        var epochs = new List<int>();
        settings.Study = study;
        settings.TrialCompleted = t => { reported.Add(t.Id); atReports.Add(StudyTables.Checkpoints(study).Count); };
        var result = Run(settings, Space(9), fit: options =>
        {
            if (options.NumberOfEpochs == 3 && !epochs.Contains(3))
                atFirstPromotion.Add(StudyTables.Checkpoints(study));
            epochs.Add(options.NumberOfEpochs);
        });

        CollectionAssert.AreEqual(alone, epochs, string.Join(", ", epochs));
        Assert.AreEqual(9, epochs.Count(e => e == 1));
        int started = epochs.IndexOf(3);
        Assert.IsTrue(started >= 3, string.Join(", ", epochs));
        CollectionAssert.AreEqual(Enumerable.Range(1, started).Select(id => (id, 1, 0)).ToArray(), atFirstPromotion.Single().ToArray());
        CollectionAssert.AreEqual(Enumerable.Repeat(0, 9).ToArray(), atReports.ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(1, 9).ToArray(), reported.ToArray(), "reported at the end, in trial order");
        Assert.IsTrue(result.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed) >= 1);
    }

    [TestMethod]
    public void AStudyRecordsEachResultUnderThisProcesssWorkerNameAndAReadOnlyRunReportsWhatIsNotInYet()
    {
        // Stopped after trial 2 of 6: two results in the study, each recorded by a worker named machine/process/random part.
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"));
        using var stop = new CancellationTokenSource();
        Run(new DvnSweepSettings { MaximumTrials = 6, Seed = 2, EvaluateBaseOptions = false, Study = study, TrialCompleted = t => { if (t.Id == 2) stop.Cancel(); } },
            Space(2), cancel: stop.Token);
        var results = StudyTables.Results(study);
        CollectionAssert.AreEqual(new[] { 1, 2 }, results.Select(r => r.Trial).ToArray());
        var worker = new Regex($"^{Regex.Escape(Environment.MachineName)}/{Environment.ProcessId}/[0-9a-f]{{8}}$");
        Assert.IsTrue(results.All(r => worker.IsMatch(r.Worker)), string.Join(", ", results.Select(r => r.Worker)));
        Assert.AreEqual(1, results.Select(r => r.Worker).Distinct().Count(), "one sweep, one worker");

        // Read-only: what the study has, taken from it and said so in the log; the other 4 reported as not in yet.
        var fits = 0;
        var log = new List<string>();
        var read = Run(new DvnSweepSettings { MaximumTrials = 6, Seed = 2, EvaluateBaseOptions = false, Study = study with { ReadOnly = true } },
            Space(2), fit: _ => fits++, log: log);
        Assert.AreEqual(0, fits);
        CollectionAssert.AreEqual(new[] { (1, DvnSweepTrialStatus.Completed), (2, DvnSweepTrialStatus.Completed) },
            read.Trials.Select(t => (t.Id, t.Status)).ToArray());
        Assert.AreEqual($"read from the {study with { ReadOnly = true }}: 4 evaluations not finished yet", read.StopReason);
        foreach (var trial in read.Trials)
            Assert.IsTrue(log.Contains($"Trial {trial.Id} (2 epochs; {trial.Parameters}): taken from the study."), string.Join("\n", log));
    }

    [TestMethod]
    public void TrialsKeepEachTaskOnTheWholeDatasUnitsUnlessTheBaseOptionsDecideTheOrder()
    {
        // (Task names, as the fits got them; and as the trial reports them.) The generated rows name their tasks alpha,
        // beta, gamma in that order, so the whole data's keys give that order.
        (string[]? Fitted, IReadOnlyList<string>? Reported) Order(Action<DvnEstimator.Options> configure)
        {
            var space = Space(1);
            configure(space.BaseOptions);
            string[]? fitted = null;
            var result = Run(new DvnSweepSettings { MaximumTrials = 1, Seed = 1, EvaluateBaseOptions = false }, space,
                fit: options => fitted = options.TaskUnitOrder?.ToArray());
            var trial = result.Trials.Single();
            Assert.AreEqual(DvnSweepTrialStatus.Completed, trial.Status, trial.Message);
            // A plain fit of the trial's options gets the same order as its fits did.
            CollectionAssert.AreEqual(fitted, trial.ToOptions(space.BaseOptions).TaskUnitOrder);
            return (fitted, trial.TaskUnitOrder);
        }

        var byKeys = Order(_ => { });
        CollectionAssert.AreEqual(MlNetTasks.TaskNames, byKeys.Fitted);
        CollectionAssert.AreEqual(MlNetTasks.TaskNames, byKeys.Reported!.ToArray());

        var given = Order(o => o.TaskUnitOrder = new[] { "gamma", "alpha", "beta" });
        CollectionAssert.AreEqual(new[] { "gamma", "alpha", "beta" }, given.Fitted, "the base options' own order");
        Assert.IsNull(given.Reported);

        var affinity = Order(o => o.TaskOrder = DvnTaskOrder.Affinity);
        Assert.IsNull(affinity.Fitted, "measured by the trainer");
        Assert.IsNull(affinity.Reported);
    }

    [TestMethod]
    public void TwoAsynchronousHalvingSweepsOfOneStudyInOneProcessRunEveryJobOnceBetweenThem()
    {
        // Two workers of one study (each sweep names itself: machine, process, random part) run side by side: each job
        // (configuration, round) is claimed, fitted and recorded once between them; each learns the other's results
        // before it picks a job and waits for the other's claims before it ends; a third run fits nothing.
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db")) with { Lease = TimeSpan.FromSeconds(5) };
        var settings = () => new DvnSweepSettings { Strategy = DvnSweepStrategy.AsyncHalving, MaximumTrials = 9, Seed = 3, EvaluateBaseOptions = false, Study = study };
        var fits = new List<int>[] { new(), new() };
        var workers = Enumerable.Range(0, 2).Select(w => Task.Run(() => Run(settings(), Space(9), fit: o => fits[w].Add(o.NumberOfEpochs)))).ToArray();
        Task.WaitAll(workers);

        var claims = StudyTables.Claims(study);
        var results = StudyTables.Results(study);
        Assert.IsTrue(claims.All(c => c.Done && c.Attempts == 1), "every job claimed once and finished");
        Assert.AreEqual(claims.Count, results.Count);
        // (How the jobs split between the two depends on timing: one may find every job taken or done when it starts.)
        Assert.AreEqual(results.Count, fits[0].Count + fits[1].Count, "every result fitted once, by one of the two");
        Assert.AreEqual(9, results.Count(r => r.Epochs == 1));
        Assert.IsTrue(results.Count(r => r.Epochs == 3) >= 3 && results.Any(r => r.Epochs == 9), string.Join(", ", results));
        foreach (var worker in workers)
            foreach (var trial in worker.Result.Trials)
                Assert.AreEqual(results.Where(r => r.Trial == trial.Id).Max(r => r.Epochs), trial.Epochs, $"trial {trial.Id} at its highest round");

        var again = new List<int>();
        var read = Run(settings(), Space(9), fit: o => again.Add(o.NumberOfEpochs));
        Assert.AreEqual(0, again.Count);
        Assert.AreEqual(9, read.Trials.Count);
    }

    [TestMethod]
    public void AFitThatNamesATaskTheWholeDataDoesNotHaveOrHasNoEstimatorFailsItsTrialSayingSo()
    {
        // After the probe (which sees the whole data's tasks alpha, beta, gamma), the factory renames gamma for trial 1
        // and returns no estimator for trial 2; trial 3 is a plain fit. The order of tasks along the units is measured
        // (affinity), so the fits get no task order that the trainer itself would check against their tasks.
        var space = Space(1);
        space.BaseOptions.TaskOrder = DvnTaskOrder.Affinity;
        space.LearningRate = DvnSearch.Choice(0.01, 0.02, 0.03);
        space.BatchSize = DvnSearch.Fixed(16);
        int calls = 0;
        var result = Run(new DvnSweepSettings { Strategy = DvnSweepStrategy.Grid, MaximumTrials = 3, EvaluateBaseOptions = false }, space,
            pipeline: (ml, options) => ++calls == 1 || options.LearningRate == 0.03 ? MlNetTasks.Pipeline(ml, options)
                : options.LearningRate == 0.02 ? null!
                : ml.Transforms.Conversion.MapValue("Task", new Dictionary<string, string> { ["alpha"] = "alpha", ["beta"] = "beta", ["gamma"] = "delta" }, "Task")
                    .Append(MlNetTasks.Pipeline(ml, options)));

        CollectionAssert.AreEqual(new[] { DvnSweepTrialStatus.Failed, DvnSweepTrialStatus.Failed, DvnSweepTrialStatus.Completed },
            result.Trials.Select(t => t.Status).ToArray());
        Assert.AreEqual("InvalidOperationException: A fit of the sweep's pipeline has task 'delta', which the whole data's task column " +
                        "does not have ('alpha', 'beta', 'gamma').", result.Trials[0].Message);
        Assert.AreEqual("InvalidOperationException: The sweep's pipeline factory returned null instead of an estimator.", result.Trials[1].Message);
    }

    /// <summary>An estimator whose fit throws the given exception, as a user's own transform might.</summary>
    private sealed class ThrowingFit(Exception error) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input) => throw error;

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
    }
}
