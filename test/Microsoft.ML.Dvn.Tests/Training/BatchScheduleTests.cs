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
    public void TheCountPerEpochIsCountedByHandFromRowsAndBatchSize()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        // Per task: ceil(rows / batch), one less where a single row would be left over (it joins the batch before),
        // counted by hand:
        //   rows 2:            batch 2 -> 1,  4 -> 1,  32 -> 1
        //   rows 3, 64, 65:    batch 2 -> 1 + 32 + 32 (65 = 32 x 2 + 1) = 65;  4 -> 1 + 16 + 16 = 33;  32 -> 1 + 2 + 2 = 5
        //   rows 33, 31, 32:   batch 2 -> 16 + 15 + 16 = 47;  4 -> 8 + 8 + 8 = 24;  32 -> 1 + 1 + 1 = 3
        //   rows 129, 7:       batch 2 -> 64 + 3 = 67;  4 -> 32 + 2 = 34;  32 -> 4 + 1 = 5
        var expected = new (long[] Rows, int Batch, int Count)[]
        {
            (new long[] { 2 }, 2, 1), (new long[] { 2 }, 4, 1), (new long[] { 2 }, 32, 1),
            (new long[] { 3, 64, 65 }, 2, 65), (new long[] { 3, 64, 65 }, 4, 33), (new long[] { 3, 64, 65 }, 32, 5),
            (new long[] { 33, 31, 32 }, 2, 47), (new long[] { 33, 31, 32 }, 4, 24), (new long[] { 33, 31, 32 }, 32, 3),
            (new long[] { 129, 7 }, 2, 67), (new long[] { 129, 7 }, 4, 34), (new long[] { 129, 7 }, 32, 5),
        };
        foreach (var (rows, batch, count) in expected)
        {
            string name = $"rows {string.Join(", ", rows)}, batch {batch}";
            Assert.AreEqual(count, BatchSchedule.CountPerEpoch(rows, batch), name);
            var schedule = BatchSchedule.Shuffle(rows, batch, generator, DvnBatchOrder.RoundRobin);
            Assert.AreEqual(count, schedule.Count, name);
            Assert.IsTrue(schedule.All(b => b.Rows.shape[0] >= 2 && b.Rows.shape[0] <= batch + 1), $"{name}: a batch of one row, or longer than batch + 1");
        }
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
