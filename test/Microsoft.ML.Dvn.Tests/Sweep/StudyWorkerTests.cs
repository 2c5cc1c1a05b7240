using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// Studies shared by worker processes (test/Microsoft.ML.Dvn.SweepWorker) through a real database: a private
/// PostgreSQL server started for these tests, and SQLite files. Workers are killed with SIGKILL in the middle of a
/// trial; the claims and results are read with plain SQL (<see cref="StudyTables"/>).
/// </summary>
[TestClass]
public sealed class StudyWorkerTests
{
    private const DvnSweepStrategy Strategy = DvnSweepStrategy.Halving;
    private static PostgresServer? s_server;
    private string _directory = null!;

    private static PostgresServer Server => s_server ??= PostgresServer.Start();

    [ClassCleanup]
    public static void StopServer() => s_server?.Dispose();

    [TestInitialize]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dvn-workers-").FullName;

    [TestCleanup]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Waits for a claim that one of <paramref name="workers"/> holds and <paramref name="wanted"/> accepts, and kills that worker.</summary>
    private static (SweepWorker Victim, StudyTables.Claim Cut) KillMidTrial(DvnStudy study, IReadOnlyList<SweepWorker> workers,
        Func<StudyTables.Claim, bool> wanted)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            foreach (var claim in StudyTables.Claims(study).Where(c => !c.Done && wanted(c)))
                if (workers.FirstOrDefault(w => w.Holds(claim.Worker)) is { } victim)
                {
                    victim.Kill();
                    return (victim, claim);
                }
            Thread.Sleep(20);
        }
        Assert.Fail("no worker claimed a configuration in 3 minutes");
        return default;
    }

    [TestMethod]
    public void ThreeWorkersOnAPostgresStudyWithOneKilledMidTrialCompleteEveryConfigurationOnceWithTheResultsOfOneWorker()
    {
        var referenceFits = new List<int>();
        var reference = WorkerSweep.Run(null, Strategy, referenceFits);
        int mostEpochs = referenceFits.Max();
        var study = WorkerSweep.Study("postgres", Server.CreateDatabase("three_workers"), leaseSeconds: 5);

        var workers = Enumerable.Range(0, 3).Select(_ => SweepWorker.Start(study, Strategy)).ToArray();
        try
        {
            // The victim trains a configuration at the most epochs (the longest fits), so the kill lands inside a fit.
            var (victim, cut) = KillMidTrial(study, workers, c => c.Epochs == mostEpochs);
            var atKill = StudyTables.Claims(study).Single(c => (c.Trial, c.Epochs) == (cut.Trial, cut.Epochs));
            Assert.IsFalse(atKill.Done, "the worker was killed before it wrote its result");
            foreach (var worker in workers.Where(w => w != victim))
                worker.Finish();

            var claims = StudyTables.Claims(study);
            var results = StudyTables.Results(study);
            Assert.AreEqual(referenceFits.Count, results.Count, "every configuration of every round has one result");
            Assert.AreEqual(referenceFits.Count, results.Select(r => (r.Trial, r.Epochs)).Distinct().Count());
            Assert.IsTrue(claims.All(c => c.Done), "every claim ended with its result");
            var takenOver = claims.Single(c => (c.Trial, c.Epochs) == (cut.Trial, cut.Epochs));
            Assert.AreEqual(2, takenOver.Attempts, "the killed worker's configuration was claimed again once");
            Assert.IsFalse(victim.Holds(results.Single(r => (r.Trial, r.Epochs) == (cut.Trial, cut.Epochs)).Worker), "another worker wrote it");
            Assert.IsTrue(claims.Where(c => c != takenOver).All(c => c.Attempts == 1), "no other configuration ran twice");
            Assert.IsTrue(results.Select(r => r.Worker).Distinct().Count() >= 2, "the surviving workers shared the trials");

            // The study now holds the whole sweep: a run against it fits nothing and returns one worker's results.
            var fits = new List<int>();
            var fromStudy = WorkerSweep.Run(study, Strategy, fits);
            Assert.AreEqual(0, fits.Count);
            SweepAssert.SameTrials(reference, fromStudy);
        }
        finally
        {
            foreach (var worker in workers)
                worker.Dispose();
        }
    }

    [TestMethod]
    public void ASqliteStudyWhoseWorkerWasKilledMidSweepIsResumedWithoutRerunningFinishedTrials()
    {
        var referenceFits = new List<int>();
        var reference = WorkerSweep.Run(null, Strategy, referenceFits);
        var study = WorkerSweep.Study("sqlite", Path.Combine(_directory, "study.db"), leaseSeconds: 3);

        int finished;
        using (var worker = SweepWorker.Start(study, Strategy))
        {
            // Killed inside a fit once a few results are in.
            KillMidTrial(study, new[] { worker }, _ => StudyTables.Results(study).Count >= 3);
            finished = StudyTables.Results(study).Count;
        }
        Assert.IsTrue(finished >= 3 && finished < referenceFits.Count, $"{finished} of {referenceFits.Count} results before the kill");

        // A read-only look at the study, as a report while workers run: what is there, nothing trained.
        var readFits = new List<int>();
        var partial = WorkerSweep.Run(study with { ReadOnly = true }, Strategy, readFits);
        Assert.AreEqual(0, readFits.Count);
        StringAssert.Contains(partial.StopReason, "not finished yet");
        Assert.AreEqual(finished, StudyTables.Results(study).Count, "a read-only run writes nothing");

        var fits = new List<int>();
        var resumed = WorkerSweep.Run(study, Strategy, fits);
        Assert.AreEqual(referenceFits.Count - finished, fits.Count, "the resumed run fits only what had no result");
        SweepAssert.SameTrials(reference, resumed);
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void AHalvingRoundContinuesFromTheCheckpointsAnotherProcessLeftInTheStudy(string database)
    {
        // Rounds of 1, 4 and 12 epochs for 6, 2 and 1 configurations. The first run stops once round 1 is ranked; the
        // second, with nothing in memory, continues the 2 promoted configurations from the study's checkpoints.
        var study = WorkerSweep.Study(database, database == "postgres" ? Server.CreateDatabase("checkpoints") : Path.Combine(_directory, "study.db"), 5);
        (DvnSweepResult Result, int Epochs) Run(Func<DvnSweepTrial, bool>? stopAfter)
        {
            var ml = new MLContext(1);
            int epochs = 0;
            using var stop = new CancellationTokenSource();
            var settings = WorkerSweep.Settings(study, Strategy);
            settings.TrialCompleted = t => { if (stopAfter?.Invoke(t) == true) stop.Cancel(); };
            var sweep = new DvnSweep(ml, options =>
            {
                options.EpochCompleted = _ => Interlocked.Increment(ref epochs);
                return MlNetTasks.Pipeline(ml, options);
            }, WorkerSweep.Space(), settings);
            return (sweep.Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(150, seed: 2)), stop.Token), epochs);
        }

        var (first, firstEpochs) = Run(t => t.Status == DvnSweepTrialStatus.Pruned);
        Assert.IsNotNull(first.StopReason);
        Assert.AreEqual(12 + 6 * 1, firstEpochs, "the base options and round 1");
        var (second, secondEpochs) = Run(null);

        Assert.AreEqual(2 * (4 - 1) + 1 * (12 - 4), secondEpochs, "rounds 2 and 3 trained only their new epochs");
        Assert.AreEqual(12 + 6 + 2 * 3 + 8, second.TrainedEpochs);
        SweepAssert.SameTrials(WorkerSweep.Run(null, Strategy), second);
    }

    [TestMethod]
    public void TwoAsyncHalvingWorkersOnASqliteStudyRunEveryJobOnceAndTheStudyReadsBackWithoutAFit()
    {
        var study = WorkerSweep.Study("sqlite", Path.Combine(_directory, "study.db"), leaseSeconds: 5);
        var workers = new[] { SweepWorker.Start(study, DvnSweepStrategy.AsyncHalving), SweepWorker.Start(study, DvnSweepStrategy.AsyncHalving) };
        try
        {
            foreach (var worker in workers)
                worker.Finish();
        }
        finally
        {
            foreach (var worker in workers)
                worker.Dispose();
        }
        var claims = StudyTables.Claims(study);
        var results = StudyTables.Results(study);
        Assert.IsTrue(claims.All(c => c.Done && c.Attempts == 1), "every job ran once");
        Assert.AreEqual(claims.Count, results.Count);
        // Rounds of 1, 4 and 12 epochs: all 6 configurations at 1, at least floor(6/3) promoted to 4 and at least one
        // finished at 12 (more when an early promotion was overtaken by a later, better result: ASHA's trade).
        Assert.AreEqual(6, results.Count(r => r.Epochs == 1 && r.Trial > 0));
        Assert.IsTrue(results.Count(r => r.Epochs == 4) >= 2);
        int finished = results.Count(r => r.Epochs == 12 && r.Trial > 0);
        Assert.IsTrue(finished >= 1);

        var fits = new List<int>();
        var read = WorkerSweep.Run(study, DvnSweepStrategy.AsyncHalving, fits);
        Assert.AreEqual(0, fits.Count, "a finished ASHA study runs nothing more");
        foreach (var trial in read.Trials)
            Assert.AreEqual(results.Where(r => r.Trial == trial.Id).Max(r => r.Epochs), trial.Epochs, $"trial {trial.Id} at its highest round");
        Assert.AreEqual(finished, read.Trials.Count(t => t.Status == DvnSweepTrialStatus.Completed));
        Assert.IsTrue(read.Trials.Where(t => t.Epochs == 12).All(t => t.Status == DvnSweepTrialStatus.Completed));
    }

    [TestMethod]
    public void APostgresStudyOfAnotherSearchSpaceOrANewerSchemaIsRefusedAndNothingIsWritten()
    {
        string connection = Server.CreateDatabase("refusals");
        var study = WorkerSweep.Study("postgres", connection, leaseSeconds: 5);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(MlNetTasks.Rows(40, seed: 1));
        DvnSweepResult Run(DvnStudy s, double lowestRate) => new DvnSweep(ml, o => MlNetTasks.Pipeline(ml, o),
            WorkerSweep.Space(lowestRate), WorkerSweep.Settings(s, DvnSweepStrategy.Random)).Run(data);
        Run(study, 3e-3);
        int results = StudyTables.Results(study).Count;

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Run(study, 1e-3));
        StringAssert.Contains(error.Message, "was created for another sweep: its search space differs");
        StringAssert.Contains(error.Message, "PostgreSQL database 'refusals'");
        Assert.AreEqual(results, StudyTables.Results(study).Count, "nothing written");

        using (var admin = new Npgsql.NpgsqlConnection(connection))
        {
            admin.Open();
            using var newer = admin.CreateCommand();
            newer.CommandText = "INSERT INTO dvn_schema (version) VALUES (99)";
            newer.ExecuteNonQuery();
        }
        var newerError = Assert.ThrowsExactly<InvalidOperationException>(() => Run(study, 3e-3));
        StringAssert.Contains(newerError.Message, "has schema version 99; this version of Microsoft.ML.Dvn knows versions up to 1");
        Assert.AreEqual(results, StudyTables.Results(study).Count, "nothing written");
    }

    [TestMethod]
    public void AnUnreachablePostgresServerIsAClearErrorBeforeAnythingIsTrained()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var study = DvnStudy.PostgreSql($"Host=127.0.0.1;Port={port};Username=dvn;Password=secret;Database=sweeps;Timeout=5");
        var fits = new List<int>();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => WorkerSweep.Run(study, Strategy, fits));
        StringAssert.Contains(error.Message, $"study 'default' in PostgreSQL database 'sweeps' on 127.0.0.1:{port} cannot be opened");
        Assert.IsFalse(error.Message.Contains("secret"), "the password is not in the message");
        Assert.AreEqual(0, fits.Count);
    }
}
