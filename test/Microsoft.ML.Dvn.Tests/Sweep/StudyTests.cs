using Microsoft.Data.Sqlite;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>DvnSweepSettings.Study: a sweep's results kept in a SQLite file, so that running it again resumes it.</summary>
[TestClass]
public sealed class StudyTests
{
    private string _directory = null!;

    [TestInitialize]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dvn-study-").FullName;

    [TestCleanup]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static DvnSearchSpace Space(double lowestRate = 3e-3) => new()
    {
        BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(12, 12), NumberOfEpochs = 3, BatchSize = 16 },
        LearningRate = DvnSearch.LogUniform(lowestRate, 3e-2),
        BatchSize = DvnSearch.Choice(16, 32),
        WeightDecay = DvnSearch.Fixed(0.0),
    };

    /// <summary>Runs the sweep; the fits of trials (the probe left out) are counted in <paramref name="fits"/>.</summary>
    private static DvnSweepResult Run(DvnStudy? study, DvnSweepStrategy strategy, List<int> fits, CancellationToken cancel = default,
        Action<DvnSweepTrial>? completed = null, DvnSearchSpace? space = null)
    {
        var ml = new MLContext(1);
        int calls = 0;
        var sweep = new DvnSweep(ml, options =>
            {
                if (calls++ > 0)
                    fits.Add(options.NumberOfEpochs);
                return MlNetTasks.Pipeline(ml, options);
            }, space ?? Space(),
            new DvnSweepSettings { Strategy = strategy, MaximumTrials = 6, Seed = 4, Study = study, TrialCompleted = completed });
        return sweep.Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(40, seed: 1)), cancel);
    }

    [TestMethod]
    [DataRow(DvnSweepStrategy.Random)]
    [DataRow(DvnSweepStrategy.Halving)]
    public void AStoppedSweepResumesWithoutRunningFinishedTrialsAgainAndEndsAsAnUninterruptedOne(DvnSweepStrategy strategy)
    {
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"));
        var everyFit = new List<int>();
        var uninterrupted = Run(null, strategy, everyFit);

        // Stopped after its second final outcome (random: trial 2; halving: the second pruned trial of its first round),
        // between two trials, so that no trial is cut half-way.
        using var stop = new CancellationTokenSource();
        var first = new List<int>();
        int outcomes = 0;
        var stopped = Run(study, strategy, first, stop.Token, _ => { if (++outcomes == 2) stop.Cancel(); });
        var again = new List<int>();
        var resumed = Run(study, strategy, again);
        var third = new List<int>();
        var done = Run(study, strategy, third);

        Assert.IsNotNull(stopped.StopReason);
        Assert.IsTrue(first.Count > 0 && first.Count < everyFit.Count);
        SweepAssert.SameTrials(uninterrupted, resumed);
        SweepAssert.SameTrials(uninterrupted, done);
        Assert.AreEqual(everyFit.Count - first.Count, again.Count, "the resumed run fits only what the stopped one had not");
        Assert.AreEqual(0, third.Count, "a finished study runs no trial");
    }

    [TestMethod]
    public void AStudyOfAnotherSearchSpaceIsRefusedNamingWhatDiffersAndNothingIsWritten()
    {
        var path = Path.Combine(_directory, "study.db");
        var study = DvnStudy.Sqlite(path);
        Run(study, DvnSweepStrategy.Random, new List<int>());
        long before = new FileInfo(path).Length;
        int results = Results(path);

        var fits = new List<int>();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Run(study, DvnSweepStrategy.Random, fits, space: Space(lowestRate: 1e-3)));

        StringAssert.Contains(error.Message, "was created for another sweep: its search space differs");
        StringAssert.Contains(error.Message, "trial 1");
        Assert.AreEqual(0, fits.Count, "nothing trained");
        Assert.AreEqual(results, Results(path), "nothing written");
        // Another name in the same file is another study.
        Run(DvnStudy.Sqlite(path, "lower rates"), DvnSweepStrategy.Random, new List<int>(), space: Space(lowestRate: 1e-3));
        Assert.AreEqual(2 * results, Results(path));
        Assert.IsTrue(before > 0);
    }

    [TestMethod]
    public void AStudyOfOtherDataIsRefused()
    {
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "study.db"));
        Run(study, DvnSweepStrategy.Random, new List<int>());
        var ml = new MLContext(1);
        var sweep = new DvnSweep(ml, o => MlNetTasks.Pipeline(ml, o), Space(), new DvnSweepSettings { MaximumTrials = 6, Seed = 4, Study = study });
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => sweep.Run(ml.Data.LoadFromEnumerable(MlNetTasks.Rows(41, seed: 1))));
        StringAssert.Contains(error.Message, "its data differs: it was created with 'rows 120' where this sweep has 'rows 123'");
    }

    [TestMethod]
    public void ADatabaseWithANewerSchemaIsRefusedAndLeftAsItWas()
    {
        var path = Path.Combine(_directory, "newer.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE dvn_schema (version INTEGER NOT NULL); INSERT INTO dvn_schema (version) VALUES (99);";
            command.ExecuteNonQuery();
        }
        var fits = new List<int>();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Run(DvnStudy.Sqlite(path), DvnSweepStrategy.Random, fits));
        StringAssert.Contains(error.Message, "has schema version 99; this version of Microsoft.ML.Dvn knows versions up to 1");
        Assert.AreEqual(0, fits.Count);
        using var check = new SqliteConnection($"Data Source={path}");
        check.Open();
        using var tables = check.CreateCommand();
        tables.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'";
        Assert.AreEqual(1L, tables.ExecuteScalar(), "no table was added");
    }

    [TestMethod]
    public void AnUnreachableDatabaseIsAClearError()
    {
        var study = DvnStudy.Sqlite(Path.Combine(_directory, "no such directory", "study.db"));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Run(study, DvnSweepStrategy.Random, new List<int>()));
        StringAssert.Contains(error.Message, "cannot be opened");
        StringAssert.Contains(error.Message, "no such directory");
    }

    private static int Results(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM dvn_result";
        return Convert.ToInt32(command.ExecuteScalar());
    }
}
