using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// One epoch's mini-batches: every task's rows shuffled and cut into batches, then the tasks take turns
/// (round-robin: task 1's first batch, task 2's first batch, ...) so no task starves. A task with more batches
/// than the others goes on alone at the end.
/// </summary>
internal static class BatchSchedule
{
    /// <summary>A batch: the task (1-based), its number within the task's epoch (1-based), and the row indices.</summary>
    public readonly record struct Batch(int Task, int Number, Tensor Rows);

    /// <remarks>
    /// A last batch of a single row is merged into the one before it: batch normalization cannot train on one row.
    /// The index tensors belong to the caller's dispose scope.
    /// </remarks>
    public static List<Batch> Shuffle(IReadOnlyList<long> rowCounts, int batchSize, Generator generator)
    {
        var perTask = new List<List<Tensor>>();
        foreach (long rows in rowCounts)
        {
            var order = randperm(rows, generator: generator);
            var batches = new List<Tensor>();
            for (long start = 0; start < rows; start += batchSize)
            {
                long length = Math.Min(batchSize, rows - start);
                if (length == 1 && batches.Count > 0)
                    batches[^1] = order.narrow(0, start - batchSize, batchSize + 1);
                else
                    batches.Add(order.narrow(0, start, length));
            }
            perTask.Add(batches);
        }

        var schedule = new List<Batch>();
        int rounds = perTask.Max(b => b.Count);
        for (int round = 0; round < rounds; round++)
            for (int task = 0; task < perTask.Count; task++)
                if (round < perTask[task].Count)
                    schedule.Add(new Batch(task + 1, round + 1, perTask[task][round]));
        return schedule;
    }
}
