using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>Batches of rows cached as tensors (<see cref="TaskData"/>, not owned): index selections of a shuffled order.</summary>
internal sealed class CachedBatches(IReadOnlyList<TaskData> tasks) : IBatchSource
{
    public IReadOnlyList<long> RowCounts { get; } = tasks.Select(t => t.RowCount).ToArray();

    public int InputSize => (int)tasks[0].Features.shape[1];

    public IEnumerable<TrainingBatch> Pass(IReadOnlyList<int> tasks, int batchSize, DvnBatchOrder order, Generator generator)
    {
        // The order is drawn at once, as row indices, so that no tensor of this iterator outlives the caller's step.
        List<(int Task, int Number, long[] Rows)> schedule;
        using (NewDisposeScope())
            schedule = BatchSchedule.Shuffle(tasks.Select(t => RowCounts[t - 1]).ToArray(), batchSize, generator, order)
                .Select(b => (tasks[b.Task - 1], b.Number, b.Rows.data<long>().ToArray())).ToList();
        foreach (var (task, number, rows) in schedule)
            yield return Select(task, number, rows);
    }

    private TrainingBatch Select(int task, int number, long[] rows)
    {
        using var scope = NewDisposeScope();
        var data = tasks[task - 1];
        var indices = tensor(rows).to(data.Features.device);
        return new TrainingBatch(task, number, data.Features.index_select(0, indices), data.Labels.index_select(0, indices));
    }
}
