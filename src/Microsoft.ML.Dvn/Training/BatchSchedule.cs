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
        return Arrange(perTask, order).Select(b => new Batch(b.Task, b.Number, b.Item)).ToList();
    }

    /// <summary>
    /// The tasks' batches (anything that stands for a batch: row indices, a size) in one sequence, in
    /// <paramref name="order"/>: task t's batches at index t-1, each with its task and number (both 1-based).
    /// </summary>
    public static List<(int Task, int Number, T Item)> Arrange<T>(List<List<T>> perTask, DvnBatchOrder order) => order switch
    {
        DvnBatchOrder.RoundRobin => RoundRobin(perTask),
        DvnBatchOrder.Proportional => Proportional(perTask),
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Expected RoundRobin or Proportional."),
    };

    /// <summary>The batches of one epoch; the same for every epoch.</summary>
    public static int CountPerEpoch(IReadOnlyList<long> rowCounts, int batchSize) =>
        rowCounts.Sum(rows => Sizes(rows, batchSize).Count);

    /// <summary>
    /// Consecutive batches of <paramref name="order"/> (row indices), a last batch of one row merged into the one
    /// before it. The tensors are views of <paramref name="order"/>.
    /// </summary>
    public static List<Tensor> Cut(Tensor order, int batchSize)
    {
        var batches = new List<Tensor>();
        long start = 0;
        foreach (long length in Sizes(order.shape[0], batchSize))
        {
            batches.Add(order.narrow(0, start, length));
            start += length;
        }
        return batches;
    }

    /// <summary>The sizes of the consecutive batches <see cref="Cut"/> cuts <paramref name="rows"/> rows into.</summary>
    public static List<long> Sizes(long rows, int batchSize)
    {
        var sizes = new List<long>();
        for (long start = 0; start < rows; start += batchSize)
        {
            long length = Math.Min(batchSize, rows - start);
            if (length == 1 && sizes.Count > 0)
                sizes[^1] += 1;
            else
                sizes.Add(length);
        }
        return sizes;
    }

    // Task 1's first batch, task 2's first batch, ...; then the second batches, and so on.
    private static List<(int Task, int Number, T Item)> RoundRobin<T>(List<List<T>> perTask)
    {
        var schedule = new List<(int, int, T)>();
        int rounds = perTask.Max(b => b.Count);
        for (int round = 0; round < rounds; round++)
            for (int task = 0; task < perTask.Count; task++)
                if (round < perTask[task].Count)
                    schedule.Add((task + 1, round + 1, perTask[task][round]));
        return schedule;
    }

    // Batch b of a task with n batches sits at (b - 1/2) / n of the epoch; ties go to the lower task. Compared exactly
    // in integers: (2b - 1) / 2n against (2c - 1) / 2m.
    private static List<(int Task, int Number, T Item)> Proportional<T>(List<List<T>> perTask)
    {
        var all = perTask.SelectMany((batches, t) => batches.Select((item, i) => (Task: t + 1, Number: i + 1, Item: item))).ToList();
        all.Sort((a, b) =>
        {
            long left = (2L * a.Number - 1) * perTask[b.Task - 1].Count, right = (2L * b.Number - 1) * perTask[a.Task - 1].Count;
            return left != right ? left.CompareTo(right) : a.Task.CompareTo(b.Task);
        });
        return all;
    }
}
