using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Sweep.Studies;
using Microsoft.ML.Dvn.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// The study store on its own, in a SQLite file: what a claim, a renewal, a release and a recorded result let other
/// workers do (the rules DvnStudy documents), a lease running out in real time, checkpoints per fold, and what opening
/// a study refuses, with the whole messages. The sweep tests (StudyTests, StudyWorkerTests) run the same store through
/// whole sweeps; these pin each operation.
/// </summary>
[TestClass]
public sealed class StudyStoreTests
{
    private static readonly StudyIdentity Identity = new(new[] { "strategy Random", "seed 1" }, new[] { "base options: {}", "trial 1: {}" }, new[] { "rows 10" });
    private static readonly StoredMeasurement Measured = new(false, null, 1.5, 0.25, new[] { new DvnSweepLevel(1, "a", 1, 100, 0.75, 0.7, 0.5) }, 3);

    private string _directory = null!;

    [TestInitialize]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dvn-store-").FullName;

    [TestCleanup]
    public void DeleteDirectory()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [TestMethod]
    public void AClaimIsOneWorkersUntilItIsReleasedOrRecordedAndARecordedConfigurationIsNeverClaimedAgain()
    {
        var store = Open();

        Assert.IsTrue(store.TryClaim(1, 3, "w1"));
        Assert.IsFalse(store.TryClaim(1, 3, "w2"), "claimed by w1");
        Assert.IsFalse(store.TryClaim(1, 3, "w1"), "an active claim is not taken again, even by its worker");
        Assert.IsTrue(store.TryClaim(1, 4, "w2"), "the same trial at other epochs is another configuration");
        Assert.IsTrue(store.Renew(1, 3, "w1"));
        Assert.IsFalse(store.Renew(1, 3, "w2"), "w2 holds no claim on (1, 3)");

        store.Release(1, 3, "w2");
        Assert.IsFalse(store.TryClaim(1, 3, "w2"), "another worker's release changes nothing");
        store.Release(1, 3, "w1");
        Assert.IsTrue(store.TryClaim(1, 3, "w2"), "released");
        Assert.IsFalse(store.Renew(1, 3, "w1"), "w1 lost the claim");
        CollectionAssert.AreEquivalent(new[] { (1, 3), (1, 4) }, store.OpenClaims().ToArray());

        Assert.IsNull(store.Find(1, 3));
        store.Record(1, 3, Measured, "w2");
        CollectionAssert.AreEqual(new[] { (1, 4) }, store.OpenClaims().ToArray());
        Assert.IsFalse(store.TryClaim(1, 3, "w3"), "recorded");
        Assert.IsFalse(store.Renew(1, 3, "w2"), "recorded");
        store.Release(1, 3, "w2");
        Assert.IsFalse(store.TryClaim(1, 3, "w3"), "a release after the record does not reopen it");
        AreSame(Measured, store.Find(1, 3));
        Assert.IsNull(store.Find(1, 4));
        Assert.IsNull(store.Find(2, 3));

        // A result recorded without a claim closes the configuration too; a second record of it keeps the first.
        store.Record(5, 3, Measured, "w1");
        Assert.IsFalse(store.TryClaim(5, 3, "w2"));
        store.Record(5, 3, Measured with { FitSeconds = 9 }, "w2");
        Assert.AreEqual(1.5, store.Find(5, 3)!.FitSeconds);
        CollectionAssert.AreEqual(new[] { (1, 4) }, store.OpenClaims().ToArray());

        // Another study in the same file shares nothing.
        var other = Open(name: "other");
        Assert.IsTrue(other.TryClaim(1, 4, "w9"));
        Assert.IsNull(other.Find(1, 3));
        CollectionAssert.AreEqual(new[] { (1, 4) }, other.OpenClaims().ToArray());
    }

    [TestMethod]
    public void ALeaseRunsOutAfterItsTimeAndARenewalStartsItAgain()
    {
        // A 3-s lease; each check is 1.5 s from the nearest end of a lease, so a slow machine does not change the answer.
        var store = Open(lease: TimeSpan.FromSeconds(3));
        Assert.IsTrue(store.TryClaim(1, 3, "w1"));
        Thread.Sleep(1500);
        Assert.IsFalse(store.TryClaim(1, 3, "w2"), "1.5 s into a 3-s lease");
        Assert.IsTrue(store.Renew(1, 3, "w1"));
        Thread.Sleep(1500);
        Assert.IsFalse(store.TryClaim(1, 3, "w2"), "3 s after the claim but 1.5 s after the renewal");
        Thread.Sleep(3000);
        Assert.IsTrue(store.TryClaim(1, 3, "w2"), "4.5 s after the renewal: the lease ran out");
        Assert.IsFalse(store.Renew(1, 3, "w1"));
    }

    [TestMethod]
    public void AHeldLeaseIsRenewedEveryThirdOfItsTimeReleasedOnDisposeAndItsLossWarnedOnce()
    {
        var store = Open(lease: TimeSpan.FromSeconds(3));
        var warnings = new List<string>();
        Assert.IsTrue(store.TryClaim(1, 3, "w1"));
        using (new StudyLease(store, 1, 3, "w1", warnings.Add))
        {
            Thread.Sleep(4000);
            Assert.IsFalse(store.TryClaim(1, 3, "w2"), "4 s into a 3-s lease renewed every second");
        }
        Assert.IsTrue(store.TryClaim(1, 3, "w2"), "released when the lease was disposed");

        // Trial 2's claim is taken over while w1 holds a lease on it: w1's next renewal (within about a second) fails and
        // it is warned, and only once though the renewal after it fails too.
        Assert.IsTrue(store.TryClaim(2, 3, "w1"));
        using (new StudyLease(store, 2, 3, "w1", warnings.Add))
        {
            store.Release(2, 3, "w1");
            Assert.IsTrue(store.TryClaim(2, 3, "w3"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (warnings.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(5))
                Thread.Sleep(50);
            // One renewal more fails too, without a second warning.
            Thread.Sleep(1300);
        }
        Assert.IsTrue(store.Renew(2, 3, "w3"), "w1's release on dispose leaves w3's claim alone");
        Assert.IsFalse(store.TryClaim(2, 3, "w4"));
        CollectionAssert.AreEqual(new[]
        {
            "Trial 2 at 3 epochs: this worker's lease ran out and another worker took the trial over; both run it, the first result written is kept.",
        }, warnings);
    }

    [TestMethod]
    public void CheckpointsAreKeptPerFoldTheFirstWriteStaysAndDroppingClearsTheConfiguration()
    {
        var store = Open();
        using var network = new DvnNetwork(DvnArchitecture.Mlp(4), 3, new[] { 2 }, new UnitAllocation(1, 2, 2), seed: 1);
        var optimizer = new AdamOptimizer(network.parameters(), 0.01);
        using var generator = new Generator(1);
        TrainingCheckpoint At(int epoch) => TrainingCheckpoint.Capture(network, optimizer, generator, epoch, step: 10L * epoch);

        store.SaveCheckpoints(1, 4, new[] { At(1), null, At(3) });
        store.SaveCheckpoints(1, 4, new[] { At(7), At(8) });
        store.SaveCheckpoints(2, 4, new[] { At(5) });

        // Fold 0 keeps its first checkpoint (epoch 1), fold 1 gets the second write's (epoch 8), fold 2 its own.
        CollectionAssert.AreEqual(new int?[] { 1, 8, 3 }, Epochs(store.Checkpoints(1, 4, 3)));
        Assert.AreEqual(30L, store.Checkpoints(1, 4, 3)[2]!.Step);
        // Asked for 2 folds, fold 2's checkpoint is left out; for 4, fold 3 has none.
        CollectionAssert.AreEqual(new int?[] { 1, 8 }, Epochs(store.Checkpoints(1, 4, 2)));
        CollectionAssert.AreEqual(new int?[] { 1, 8, 3, null }, Epochs(store.Checkpoints(1, 4, 4)));
        CollectionAssert.AreEqual(new int?[] { null, null, null }, Epochs(store.Checkpoints(1, 5, 3)));

        store.DropCheckpoints(1, 4);
        CollectionAssert.AreEqual(new int?[] { null, null, null }, Epochs(store.Checkpoints(1, 4, 3)));
        CollectionAssert.AreEqual(new int?[] { 5 }, Epochs(store.Checkpoints(2, 4, 1)));
    }

    [TestMethod]
    public void AStudyOfAnotherSweepIsRefusedNamingTheFirstDifferenceSettingsFirst()
    {
        Open();
        string study = $"study 'default' in {Path.Combine(_directory, "study.db")}";
        string Refused(StudyIdentity identity) => Assert.ThrowsExactly<InvalidOperationException>(() => Open(identity: identity)).Message;
        string Expected(string difference) =>
            $"The {study} was created for another sweep: {difference}. Nothing was run or written; give this sweep another study name or database.";

        // Every part differs: the settings are named.
        Assert.AreEqual(Expected("its settings differ: it was created with 'seed 1' where this sweep has 'seed 2'"),
            Refused(new(new[] { "strategy Random", "seed 2" }, new[] { "base options: {}" }, new[] { "rows 11" })));
        // The search space and the data differ: the search space is named; a trial more is one the stored study lacks.
        Assert.AreEqual(Expected("its search space differs: it was created with '(nothing)' where this sweep has 'trial 2: {}'"),
            Refused(Identity with { SearchSpace = new[] { "base options: {}", "trial 1: {}", "trial 2: {}" }, Data = new[] { "rows 11" } }));
        Assert.AreEqual(Expected("its search space differs: it was created with 'trial 1: {}' where this sweep has '(nothing)'"),
            Refused(Identity with { SearchSpace = new[] { "base options: {}" } }));
        Assert.AreEqual(Expected("its data differs: it was created with 'rows 10' where this sweep has 'rows 11'"),
            Refused(Identity with { Data = new[] { "rows 11" } }));
        // The same identity opens it again.
        Assert.IsTrue(Open(identity: Identity with { }).TryClaim(1, 1, "w1"));
    }

    [TestMethod]
    public void OpeningRefusesShortLeasesMissingStudiesForReadingAndBadNames()
    {
        string path = Path.Combine(_directory, "study.db");
        var shortLease = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Open(lease: TimeSpan.FromMilliseconds(999)));
        Assert.AreEqual("DvnStudy.Lease is 00:00:00.9990000; expected at least 1 second. (Parameter 'Lease')", shortLease.Message);
        // A missing file is not created for reading; an empty database has no study tables.
        Assert.AreEqual($"The study 'default' in {path} cannot be opened: SQLite Error 14: 'unable to open database file'. Nothing was run or written.",
            Assert.ThrowsExactly<InvalidOperationException>(() => Open(readOnly: true)).Message);
        using (var empty = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
            empty.Open();
        Assert.AreEqual($"The study 'default' in {path} does not exist (the database has no study tables); a read-only study is only read. Nothing was written.",
            Assert.ThrowsExactly<InvalidOperationException>(() => Open(readOnly: true)).Message);
        Open(lease: TimeSpan.FromSeconds(1)).Record(1, 1, Measured, "w1");
        Assert.AreEqual($"The study 'other' in {path} does not exist; a read-only study is only read. Nothing was written.",
            Assert.ThrowsExactly<InvalidOperationException>(() => Open(name: "other", readOnly: true)).Message);
        AreSame(Measured, Open(readOnly: true).Find(1, 1));

        Assert.AreEqual("A study needs a database file path; got ' '. (Parameter 'path')", Assert.ThrowsExactly<ArgumentException>(() => DvnStudy.Sqlite(" ")).Message);
        Assert.AreEqual("A study needs a name; got ''. (Parameter 'name')", Assert.ThrowsExactly<ArgumentException>(() => DvnStudy.Sqlite(path, "")).Message);
        Assert.AreEqual("A PostgreSQL study needs a connection string (Host=...;Database=...;Username=...); got ''. (Parameter 'connectionString')",
            Assert.ThrowsExactly<ArgumentException>(() => DvnStudy.PostgreSql("")).Message);
        var invalid = Assert.ThrowsExactly<ArgumentException>(() => DvnStudy.PostgreSql("Host=localhost;NoSuchKeyword=1"));
        StringAssert.StartsWith(invalid.Message, "The PostgreSQL connection string is not valid: ");
        Assert.AreEqual("connectionString", invalid.ParamName);
        Assert.AreEqual("study 'runs' in PostgreSQL database 'sweeps' on db.example:6543",
            DvnStudy.PostgreSql("Host=db.example;Port=6543;Database=sweeps;Username=me", "runs").ToString());
        Assert.AreEqual("study 'default' in PostgreSQL database 'me' on db.example:5432", DvnStudy.PostgreSql("Host=db.example;Username=me").ToString());
    }

    private StudyStore Open(TimeSpan? lease = null, string name = "default", bool readOnly = false, StudyIdentity? identity = null) =>
        StudyStore.Open(DvnStudy.Sqlite(Path.Combine(_directory, "study.db"), name) with { Lease = lease ?? TimeSpan.FromSeconds(30), ReadOnly = readOnly },
            identity ?? Identity);

    private static int?[] Epochs(IReadOnlyList<TrainingCheckpoint?> checkpoints) => checkpoints.Select(c => c?.Epoch).ToArray();

    private static void AreSame(StoredMeasurement expected, StoredMeasurement? actual)
    {
        Assert.IsNotNull(actual);
        Assert.AreEqual(expected with { Levels = Array.Empty<DvnSweepLevel>() }, actual with { Levels = Array.Empty<DvnSweepLevel>() });
        CollectionAssert.AreEqual(expected.Levels.ToArray(), actual.Levels.ToArray());
    }
}
