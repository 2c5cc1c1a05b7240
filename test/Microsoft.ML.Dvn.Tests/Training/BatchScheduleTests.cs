using Microsoft.ML.Dvn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class BatchScheduleTests
{
    [TestMethod]
    public void RoundRobinTakesTurnsAndTheTaskWithMoreBatchesGoesOnAloneAtTheEnd()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        // Task 1: 5 rows = 4 + 1, the single row merged into one batch of 5; task 2: 3 batches of 4; task 3: one of 3.
        var schedule = BatchSchedule.Shuffle(new long[] { 5, 12, 3 }, 4, generator, DvnBatchOrder.RoundRobin);

        CollectionAssert.AreEqual(new[] { (1, 1), (2, 1), (3, 1), (2, 2), (2, 3) }, schedule.Select(b => (b.Task, b.Number)).ToArray());
        CollectionAssert.AreEqual(new long[] { 5, 4, 3, 4, 4 }, schedule.Select(b => b.Rows.shape[0]).ToArray());
        AssertEveryRowOnce(schedule, new long[] { 5, 12, 3 });
    }

    [TestMethod]
    public void ALastBatchOfOneRowJoinsThePreviousBatchAndEveryRowComesOnce()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        var rowCounts = new long[] { 9, 2, 8, 13 };

        var schedule = BatchSchedule.Shuffle(rowCounts, 4, generator, DvnBatchOrder.RoundRobin);

        // 9 = 4 + 5 (4 + 1 merged), 2 = 2, 8 = 4 + 4, 13 = 4 + 4 + 5.
        var sizes = Enumerable.Range(1, 4).Select(t => schedule.Where(b => b.Task == t).Select(b => b.Rows.shape[0]).ToArray()).ToArray();
        CollectionAssert.AreEqual(new long[] { 4, 5 }, sizes[0]);
        CollectionAssert.AreEqual(new long[] { 2 }, sizes[1]);
        CollectionAssert.AreEqual(new long[] { 4, 4 }, sizes[2]);
        CollectionAssert.AreEqual(new long[] { 4, 4, 5 }, sizes[3]);
        AssertEveryRowOnce(schedule, rowCounts);
    }

    [TestMethod]
    public void ProportionalSpreadsEveryTasksBatchesEvenlyOverTheEpoch()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        // 4 batches of task 1 at 1/8, 3/8, 5/8, 7/8 of the epoch; task 2's one batch at 1/2.
        var small = BatchSchedule.Shuffle(new long[] { 40, 10 }, 10, generator, DvnBatchOrder.Proportional);
        CollectionAssert.AreEqual(new[] { (1, 1), (1, 2), (2, 1), (1, 3), (1, 4) }, small.Select(b => (b.Task, b.Number)).ToArray());

        var rowCounts = new long[] { 70, 30, 10, 20 };
        var schedule = BatchSchedule.Shuffle(rowCounts, 10, generator, DvnBatchOrder.Proportional);
        AssertEveryRowOnce(schedule, rowCounts);
        // After any prefix of k batches, every task has had its share k * n_t / N of them, to within one batch.
        int total = schedule.Count;
        for (int k = 1; k <= total; k++)
            for (int t = 1; t <= 4; t++)
            {
                double share = (double)k * rowCounts[t - 1] / 10 / total;
                int seen = schedule.Take(k).Count(b => b.Task == t);
                Assert.IsTrue(Math.Abs(seen - share) <= 1, $"after {k} batches task {t} had {seen}, its share is {share:F2}");
            }
        // Each task's batches still come in their own order.
        for (int t = 1; t <= 4; t++)
            CollectionAssert.AreEqual(Enumerable.Range(1, (int)rowCounts[t - 1] / 10).ToArray(), schedule.Where(b => b.Task == t).Select(b => b.Number).ToArray());
    }

    [TestMethod]
    public void TheCountPerEpochIsTheNumberOfBatchesAShuffleMakes()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        foreach (var rowCounts in new[] { new long[] { 2 }, new long[] { 3, 64, 65 }, new long[] { 33, 31, 32 }, new long[] { 129, 7 } })
            foreach (int batchSize in new[] { 2, 4, 32 })
                Assert.AreEqual(BatchSchedule.Shuffle(rowCounts, batchSize, generator, DvnBatchOrder.RoundRobin).Count,
                    BatchSchedule.CountPerEpoch(rowCounts, batchSize), $"rows {string.Join(", ", rowCounts)}, batch {batchSize}");
    }

    private static void AssertEveryRowOnce(List<BatchSchedule.Batch> schedule, long[] rowCounts)
    {
        for (int t = 1; t <= rowCounts.Length; t++)
        {
            var rows = schedule.Where(b => b.Task == t).SelectMany(b => b.Rows.data<long>().ToArray()).Order().ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(0, (int)rowCounts[t - 1]).Select(r => (long)r).ToArray(), rows, $"task {t}");
        }
    }
}
