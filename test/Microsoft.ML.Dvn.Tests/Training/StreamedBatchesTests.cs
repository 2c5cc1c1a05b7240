using Microsoft.ML.Dvn.Tests.TestData;
using Microsoft.ML.Dvn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class StreamedBatchesTests
{
    private static readonly long[] Rows = { 100, 57, 230 };
    private static readonly int[] AllTasks = { 1, 2, 3 };

    private static StreamedBatches Streamed(CountingTaskRows rows, int bufferRows = 20, long[]? counts = null) =>
        new(rows, counts ?? Rows, CountingTaskRows.Width, bufferRows, CPU);

    /// <summary>Every batch of one pass as (task, number, row ids), the ids read from the features.</summary>
    private static List<(int Task, int Number, long[] Ids)> Pass(IBatchSource source, Generator generator, DvnBatchOrder order = DvnBatchOrder.RoundRobin,
        Action<TrainingBatch>? check = null)
    {
        var batches = new List<(int, int, long[])>();
        foreach (var batch in source.Pass(AllTasks, batchSize: 16, order, generator))
            using (batch)
            {
                check?.Invoke(batch);
                var features = batch.Rows.Features.data<float>().ToArray();
                var ids = Enumerable.Range(0, (int)batch.Rows.RowCount).Select(r => (long)features[r * CountingTaskRows.Width]).ToArray();
                Assert.IsTrue(Enumerable.Range(0, (int)batch.Rows.RowCount).All(r => features[r * CountingTaskRows.Width + 1] == batch.Task),
                    $"a row of another task in a batch of task {batch.Task}");
                CollectionAssert.AreEqual(ids.Select(id => id % 2).ToArray(), batch.Rows.Labels.data<long>().ToArray(), "labels separated from their rows");
                batches.Add((batch.Task, batch.Number, ids));
            }
        return batches;
    }

    [TestMethod]
    public void EveryEpochSeesEveryRowOfEveryTaskExactlyOnceInANewOrder()
    {
        var rows = new CountingTaskRows(Rows);
        var source = Streamed(rows);
        using var generator = new Generator(1);

        var first = Pass(source, generator);
        var second = Pass(source, generator);

        foreach (var epoch in new[] { first, second })
            for (int t = 1; t <= 3; t++)
                CollectionAssert.AreEqual(Enumerable.Range(0, (int)Rows[t - 1]).Select(i => (long)i).ToArray(),
                    epoch.Where(b => b.Task == t).SelectMany(b => b.Ids).Order().ToArray(), $"task {t}");
        CollectionAssert.AreNotEqual(first.SelectMany(b => b.Ids).ToArray(), second.SelectMany(b => b.Ids).ToArray(), "two epochs in the same order");
        Assert.AreEqual(2 * Rows.Sum(), rows.RowsRead);
        Assert.AreEqual(0, rows.OpenReaders, "a cursor was left open");
    }

    [TestMethod]
    public void TasksTakeTurnsInTheCachedModesOrderWithTheSameBatchSizes()
    {
        using var scope = NewDisposeScope();
        var cached = new CachedBatches(Rows.Select(n => new TaskData(zeros(n, CountingTaskRows.Width), zeros(n, ScalarType.Int64))).ToArray());
        foreach (var order in new[] { DvnBatchOrder.RoundRobin, DvnBatchOrder.Proportional })
        {
            using var g1 = new Generator(2);
            using var g2 = new Generator(2);
            var streamed = Pass(Streamed(new CountingTaskRows(Rows)), g1, order).Select(b => (b.Task, b.Number, b.Ids.Length)).ToArray();
            var expected = new List<(int, int, int)>();
            foreach (var batch in cached.Pass(AllTasks, 16, order, g2))
                using (batch)
                    expected.Add((batch.Task, batch.Number, (int)batch.Rows.RowCount));

            CollectionAssert.AreEqual(expected, streamed, $"{order}");
        }
    }

    [TestMethod]
    public void TheShuffleBuffersNeverHoldMoreThanTheirRows()
    {
        var rows = new CountingTaskRows(Rows);
        long delivered = 0, held = 0;
        using var generator = new Generator(3);

        Pass(Streamed(rows, bufferRows: 20), generator, check: batch =>
        {
            delivered += batch.Rows.RowCount;
            held = Math.Max(held, rows.RowsRead - delivered);
        });

        Assert.IsTrue(held is > 0 and <= 20, $"{held} rows read and not yet handed out; the buffers hold at most 20");
    }

    [TestMethod]
    public void APassHoldsNoScheduleOfItsBatches()
    {
        // 2^26 rows a task in batches of 16: 4 million batches a task. A schedule held whole (it was: 24 bytes a batch)
        // would allocate some 300 MB before the first batch; computed as the pass goes, it allocates almost nothing.
        long rows = 1L << 26;
        foreach (var order in new[] { DvnBatchOrder.RoundRobin, DvnBatchOrder.Proportional })
        {
            var source = Streamed(new CountingTaskRows(rows, rows / 2, rows), counts: new[] { rows, rows / 2, rows });
            using var generator = new Generator(8);
            long before = GC.GetAllocatedBytesForCurrentThread();

            using (var first = source.Pass(AllTasks, batchSize: 16, order, generator).First())
                Assert.AreEqual(16, first.Rows.RowCount);

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.IsTrue(allocated < 1 << 20, $"{order}: {allocated:N0} bytes allocated for the first batch of a pass of 10 million batches");
        }
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameBatchesAndAnotherSeedOthers()
    {
        List<long> Ids(int seed)
        {
            using var generator = new Generator((ulong)seed);
            return Pass(Streamed(new CountingTaskRows(Rows)), generator).SelectMany(b => b.Ids).ToList();
        }

        CollectionAssert.AreEqual(Ids(4), Ids(4));
        CollectionAssert.AreNotEqual(Ids(4), Ids(5));
    }

    [TestMethod]
    public void DataThatChangedBetweenCountingAndAnEpochFailsNamingTheTask()
    {
        using var generator = new Generator(6);

        var fewer = Assert.ThrowsExactly<InvalidOperationException>(() => Pass(Streamed(new CountingTaskRows(100, 50, 230)), generator));
        var more = Assert.ThrowsExactly<InvalidOperationException>(() => Pass(Streamed(new CountingTaskRows(100, 57, 231)), generator));

        StringAssert.Contains(fewer.Message, "Task 2 had 57 training rows when training began and has fewer now");
        StringAssert.Contains(more.Message, "Task 3 had 230 training rows when training began and has more now");
    }

    [TestMethod]
    public void CancellationStopsStreamedTrainingAndClosesItsCursors()
    {
        using var network = NetworkFixtures.Mlp(seed: 1, 12, 12);
        var train = NetworkFixtures.Tasks(rowsPerTask: 64, seed: 1);
        var rows = new GeneratedTaskRows(train);
        using var cancellation = new CancellationTokenSource();
        var reports = new List<DvnEpochReport>();
        var settings = new DvnTrainingSettings(NumberOfEpochs: 5, BatchSize: 16, LearningRate: 0.01, WeightDecay: 0, Seed: 7);

        Assert.ThrowsExactly<OperationCanceledException>(() => TrainingLoop.Train(network,
            new StreamedBatches(rows, train.Select(t => t.RowCount).ToArray(), GeneratedTasks.FeatureCount, 64, CPU), settings, null,
            report => { reports.Add(report); cancellation.Cancel(); }, cancellation.Token));

        Assert.AreEqual(1, reports.Count, "training went on after cancellation");
        Assert.AreEqual(0, rows.OpenReaders, "a cursor was left open");
        NetworkFixtures.DisposeAll(train);
    }

    [TestMethod]
    public void StreamedTrainingLearnsAsWellAsCachedTrainingAboveChance()
    {
        var train = NetworkFixtures.Tasks(rowsPerTask: 400, seed: 1);
        var test = NetworkFixtures.Tasks(rowsPerTask: 300, seed: 2);
        var settings = new DvnTrainingSettings(NumberOfEpochs: 8, BatchSize: 32, LearningRate: 0.01, WeightDecay: 0, Seed: 7);
        double[] Accuracy(IBatchSource batches)
        {
            using var network = NetworkFixtures.Mlp(seed: 1, 24, 24);
            TrainingLoop.Train(network, batches, settings, null, null, CancellationToken.None);
            return Enumerable.Range(1, 3).Select(t => LevelAccuracy.Measure(network, test[t - 1], t, 3, 256)).ToArray();
        }

        var cached = Accuracy(new CachedBatches(train));
        var streamed = Accuracy(new StreamedBatches(new GeneratedTaskRows(train), train.Select(t => t.RowCount).ToArray(),
            GeneratedTasks.FeatureCount, bufferRows: 128, CPU));

        double[] chance = { 1 / 3.0, 1 / 2.0, 1 / 4.0 };
        for (int t = 0; t < 3; t++)
        {
            Assert.IsTrue(cached[t] > chance[t] + 0.25, $"cached, task {t + 1}: {cached[t]:P1}");
            Assert.IsTrue(streamed[t] > chance[t] + 0.25, $"streamed, task {t + 1}: {streamed[t]:P1}");
            Assert.IsTrue(streamed[t] > cached[t] - 0.1, $"task {t + 1}: streamed {streamed[t]:P1}, cached {cached[t]:P1}");
        }
        NetworkFixtures.DisposeAll(train.Concat(test));
    }
}
