using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// One epoch's mini-batches: every task's rows shuffled and cut into batches, then the tasks' batches put in one
/// sequence by a <see cref="DvnBatchOrder"/>.
/// </summary>
internal static class BatchSchedule
{
    /// <summary>A batch: the task (1-based), its number within the task's epoch (1-based), and the row indices.</summary>
    public readonly record struct Batch(int Task, int Number, Tensor Rows);

    /// <remarks>
    /// A last batch of a single row is merged into the one before it: batch normalization cannot train on one row.
    /// The index tensors belong to the caller's dispose scope.
    /// </remarks>
    public static List<Batch> Shuffle(IReadOnlyList<long> rowCounts, int batchSize, Generator generator, DvnBatchOrder order)
    {
        var perTask = rowCounts.Select(rows => Cut(randperm(rows, generator: generator), batchSize)).ToList();
        return Order(perTask.Select(batches => batches.Count).ToArray(), order)
            .Select(b => new Batch(b.Task, b.Number, perTask[b.Task - 1][b.Number - 1])).ToList();
    }

    /// <summary>
    /// The tasks' batches in one sequence, in <paramref name="order"/>, as (task, number within the task), both 1-based;
    /// task t has <paramref name="batchCounts"/>[t-1] batches. Computed as it is enumerated, in memory of a few numbers a
    /// task: a streamed epoch never holds its whole schedule, however many batches it has.
    /// </summary>
    public static IEnumerable<(int Task, int Number)> Order(IReadOnlyList<int> batchCounts, DvnBatchOrder order) => order switch
    {
        DvnBatchOrder.RoundRobin => RoundRobin(batchCounts),
        DvnBatchOrder.Proportional => Proportional(batchCounts),
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Expected RoundRobin or Proportional."),
    };

    /// <summary>The batches of one epoch; the same for every epoch.</summary>
    public static int CountPerEpoch(IReadOnlyList<long> rowCounts, int batchSize) =>
        rowCounts.Sum(rows => Count(rows, batchSize));

    /// <summary>
    /// Consecutive batches of <paramref name="order"/> (row indices), a last batch of one row merged into the one
    /// before it. The tensors are views of <paramref name="order"/>.
    /// </summary>
    public static List<Tensor> Cut(Tensor order, int batchSize)
    {
        long rows = order.shape[0];
        var batches = new List<Tensor>();
        for (int number = 1, count = Count(rows, batchSize); number <= count; number++)
            batches.Add(order.narrow(0, (long)(number - 1) * batchSize, Size(rows, batchSize, number)));
        return batches;
    }

    /// <summary>
    /// How many batches <paramref name="rows"/> rows are cut into: batches of <paramref name="batchSize"/> (at least 2),
    /// the last one shorter, or one longer where a single row would be left over.
    /// </summary>
    public static int Count(long rows, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        long count = (rows + batchSize - 1) / batchSize;
        return checked((int)(count > 1 && rows % batchSize == 1 ? count - 1 : count));
    }

    /// <summary>The rows of batch <paramref name="number"/> (1-based) of the <see cref="Count"/> that <paramref name="rows"/> are cut into.</summary>
    public static long Size(long rows, int batchSize, int number) =>
        number < Count(rows, batchSize) ? batchSize : rows - (long)(number - 1) * batchSize;

    // Task 1's first batch, task 2's first batch, ...; then the second batches, and so on.
    private static IEnumerable<(int Task, int Number)> RoundRobin(IReadOnlyList<int> batchCounts)
    {
        int rounds = batchCounts.Max();
        for (int round = 1; round <= rounds; round++)
            for (int task = 1; task <= batchCounts.Count; task++)
                if (round <= batchCounts[task - 1])
                    yield return (task, round);
    }

    // Batch b of a task with n batches sits at (b - 1/2) / n of the epoch; ties go to the lower task. Compared exactly
    // in integers: (2b - 1) / 2n against (2c - 1) / 2m. A merge of the tasks' sequences, each already in that order.
    private static IEnumerable<(int Task, int Number)> Proportional(IReadOnlyList<int> batchCounts)
    {
        var earlier = Comparer<(int Task, int Number)>.Create((a, b) =>
        {
            long left = (2L * a.Number - 1) * batchCounts[b.Task - 1], right = (2L * b.Number - 1) * batchCounts[a.Task - 1];
            return left != right ? left.CompareTo(right) : a.Task.CompareTo(b.Task);
        });
        var next = new PriorityQueue<(int Task, int Number), (int Task, int Number)>(earlier);
        for (int task = 1; task <= batchCounts.Count; task++)
            if (batchCounts[task - 1] > 0)
                next.Enqueue((task, 1), (task, 1));
        while (next.TryDequeue(out var batch, out _))
        {
            yield return batch;
            if (batch.Number < batchCounts[batch.Task - 1])
                next.Enqueue((batch.Task, batch.Number + 1), (batch.Task, batch.Number + 1));
        }
    }
}
