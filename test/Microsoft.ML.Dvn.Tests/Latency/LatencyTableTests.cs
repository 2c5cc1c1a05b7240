using System.Text;
using Microsoft.ML.Dvn.Latency;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Latency;

[TestClass]
public sealed class LatencyTableTests
{
    [TestMethod]
    public void MeasuringAttachesATableOfEveryTaskAndLevelThatLatencyBudgetsThenUse()
    {
        var ml = new MLContext(seed: 1);
        var rows = MlNetTasks.Rows(10, seed: 1);
        var model = MlNetTasks.Pipeline(ml, MlNetTasks.Options(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(rows));
        var dvn = MlNetTasks.Dvn(model);

        var table = dvn.MeasureLatency(ml.Data.LoadFromEnumerable(rows), new DvnLatencyOptions { WarmupRounds = 1, Rounds = 4, BatchSize = 8, Percentile = 75 });

        Assert.AreSame(table, dvn.Latencies);
        Assert.AreEqual(75, table.Percentile);
        Assert.AreEqual(4, table.Rounds);
        Assert.AreEqual(Environment.MachineName, table.Machine.Name);
        CollectionAssert.AreEquivalent(
            new[] { (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3) },
            table.Levels.Select(l => (l.Task, l.Level)).ToArray());
        Assert.IsTrue(table.Levels.All(l => l.SingleRowMicroseconds > 0 && l.BatchMicroseconds > 0 && l.BatchSize == 8));
        Assert.AreEqual(table.Find(2, 3)!.SingleRowMicroseconds, dvn.GetLevels(2)[2].LatencyMicroseconds);

        // The budget is exactly task 1's slowest level: that level and every faster one fit, so level 3 (the highest) runs.
        var slowest = Enumerable.Range(1, 3).Max(j => table.Find(1, j)!.SingleRowMicroseconds);
        var input = rows.Take(1).Select(r => new LatencyRow { Features = r.Features, Label = r.Label, Task = r.Task, LatencyBudget = slowest });
        Assert.AreEqual(3u, MlNetTasks.Column<uint>(model.Transform(ml.Data.LoadFromEnumerable(input)), "Level").Single());
    }

    [TestMethod]
    public void ASavedTableLoadsWithItsMachineAndEveryEntry()
    {
        var machine = new DvnMachine("serving-1", "Some CPU", 2, "Linux x64", 2);
        var table = new DvnLatencyTable(machine, new DateTimeOffset(2026, 12, 4, 22, 0, 0, TimeSpan.Zero), 95, 30,
            new[] { new DvnLevelLatency(1, 1, 12.5, 300, 64), new DvnLevelLatency(1, 2, 20.25, 512, 64) });
        using var stream = new MemoryStream();
        table.Save(stream);

        var loaded = DvnLatencyTable.Load(new MemoryStream(stream.ToArray()));

        Assert.AreEqual(machine, loaded.Machine);
        Assert.AreEqual(table.MeasuredAt, loaded.MeasuredAt);
        Assert.AreEqual(95, loaded.Percentile);
        Assert.AreEqual(30, loaded.Rounds);
        CollectionAssert.AreEqual(table.Levels.ToArray(), loaded.Levels.ToArray());
        Assert.AreEqual("model.zip.latency.json", DvnLatencyTable.PathBeside("model.zip"));
    }

    [TestMethod]
    public void ATableFileWithABadValueFailsNamingTheField()
    {
        string json = """
            { "version": 1, "machine": { "name": "m", "processor": "p", "processorCount": 2, "operatingSystem": "o", "torchThreads": 1 },
              "measuredAt": "2026-12-04T22:00:00+00:00", "percentile": 90, "rounds": 3,
              "levels": [ { "task": 1, "level": 1, "singleRowMicroseconds": -4, "batchMicroseconds": 10, "batchSize": 8 } ] }
            """;

        var error = Assert.ThrowsExactly<InvalidDataException>(() => DvnLatencyTable.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        StringAssert.Contains(error.Message, "levels[0].SingleRowMicroseconds is -4");
    }

    [TestMethod]
    public void ThePercentileIsTheNearestRank()
    {
        var times = new List<double> { 5, 1, 4, 2, 3, 10, 9, 8, 7, 6 };
        Assert.AreEqual(5, LatencyMeasurement.Percentile(times, 50));
        Assert.AreEqual(9, LatencyMeasurement.Percentile(times, 90));
        Assert.AreEqual(10, LatencyMeasurement.Percentile(times, 95));
        Assert.AreEqual(10, LatencyMeasurement.Percentile(times, 100));
        Assert.AreEqual(1, LatencyMeasurement.Percentile(times, 1));
    }

    public sealed class LatencyRow
    {
        [Microsoft.ML.Data.VectorType(GeneratedTasks.FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public string Label { get; set; } = "";

        public string Task { get; set; } = "";

        public double LatencyBudget { get; set; }
    }
}
