using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Batches read from rows that are never all in memory (<see cref="ITaskRows"/>): every pass opens one reader per
/// task and shuffles each task's rows through a <see cref="ShuffleBuffer"/>; the batch sizes and their order are the
/// cached mode's, computed from the row counts (known from a counting pass before training), so the tasks still take
/// turns in the <see cref="DvnBatchOrder"/>. Memory: the buffers' rows plus the batch in use, whatever the data's size
/// (the schedule is computed as the pass goes, <see cref="BatchSchedule.Order"/>, in a few numbers a task).
/// </summary>
/// <remarks>
/// The shuffle is local: a row comes out within a buffer's length of where it was read, so rows sorted by class
/// need a buffer that spans the classes (or data stored in random order). One pass at a time: the passes share their
/// buffers.
/// Every pass adds up a <see cref="RowChecksum"/> of each task's rows and compares it, at the pass's end, with the first
/// complete pass's: data that gives other rows when it is read again (edited values, labels exchanged among the task's
/// classes, rows exchanged between tasks, with the counts unchanged) fails instead of training on a mixture.
/// </remarks>
internal sealed class StreamedBatches : IBatchSource
{
    private readonly ITaskRows _rows;
    private readonly int _bufferRows;
    private readonly Device _device;
    // Reused by every pass: a pass over a large source would otherwise leave its buffers' and batches' arrays, large
    // object heap arrays of megabytes, to the collector, and the process's memory would grow with the passes.
    private float[] _bufferFeatures = Array.Empty<float>(), _batchFeatures = Array.Empty<float>();
    private long[] _bufferLabels = Array.Empty<long>();
    // For task t at index t-1: the passes begun over its rows, and the checksum and number of the first one completed.
    private readonly int[] _passes;
    private readonly (ulong Checksum, int Pass)?[] _firstPasses;

    /// <param name="rows">Every task's rows.</param>
    /// <param name="rowCounts">Rows of every task, task t at index t-1, as a counting pass found them.</param>
    /// <param name="inputSize">Feature values a row.</param>
    /// <param name="bufferRows">Rows the shuffle buffers of a pass hold together, at most: shared among the pass's
    /// tasks in proportion to their rows, at least one a task.</param>
    /// <param name="device">Where the batches go.</param>
    public StreamedBatches(ITaskRows rows, IReadOnlyList<long> rowCounts, int inputSize, int bufferRows, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferRows, 1);
        _rows = rows;
        RowCounts = rowCounts.ToArray();
        InputSize = inputSize;
        _bufferRows = bufferRows;
        _device = device;
        _passes = new int[RowCounts.Count];
        _firstPasses = new (ulong, int)?[RowCounts.Count];
    }

    public IReadOnlyList<long> RowCounts { get; }

    public int InputSize { get; }

    public IEnumerable<TrainingBatch> Pass(IReadOnlyList<int> tasks, int batchSize, DvnBatchOrder order, Generator generator)
    {
        var schedule = BatchSchedule.Order(tasks.Select(t => BatchSchedule.Count(RowCounts[t - 1], batchSize)).ToArray(), order);
        long seed;
        using (NewDisposeScope())
            seed = randint(0, int.MaxValue, new long[] { 1 }, generator: generator).item<long>();
        var random = new Random((int)seed);
        long passRows = tasks.Sum(t => RowCounts[t - 1]);
        var capacities = tasks.Select(t => (int)Math.Clamp(_bufferRows * RowCounts[t - 1] / Math.Max(passRows, 1), 1, Math.Max(RowCounts[t - 1], 1))).ToArray();
        int held = capacities.Sum();
        if (_bufferLabels.Length < held)
        {
            _bufferLabels = new long[held];
            _bufferFeatures = new float[(long)held * InputSize];
        }
        var buffers = new List<ShuffleBuffer>();
        var readers = new List<ChecksummingReader>();
        var passes = tasks.Select(t => ++_passes[t - 1]).ToArray();
        try
        {
            for (int i = 0, start = 0; i < tasks.Count; start += capacities[i++])
            {
                readers.Add(new ChecksummingReader(_rows.Open(tasks[i]), tasks[i]));
                buffers.Add(new ShuffleBuffer(readers[i], _bufferLabels.AsMemory(start, capacities[i]),
                    _bufferFeatures.AsMemory(start * InputSize, capacities[i] * InputSize), InputSize, random));
            }
            foreach (var (index, number) in schedule)
                yield return Read(buffers[index - 1], tasks[index - 1], number, (int)BatchSchedule.Size(RowCounts[tasks[index - 1] - 1], batchSize, number));
            var spare = new float[InputSize];
            for (int i = 0; i < tasks.Count; i++)
                if (buffers[i].Next(spare, out _))
                    throw Changed(tasks[i], "more");
            for (int i = 0; i < tasks.Count; i++)
                CompareWithFirstPass(tasks[i], passes[i], readers[i].Checksum);
        }
        finally
        {
            foreach (var buffer in buffers)
                buffer.Dispose();
        }
    }

    private TrainingBatch Read(ShuffleBuffer buffer, int task, int number, int size)
    {
        if (_batchFeatures.Length < size * InputSize)
            _batchFeatures = new float[size * InputSize];
        var labels = new long[size];
        for (int r = 0; r < size; r++)
            if (!buffer.Next(_batchFeatures.AsSpan(r * InputSize, InputSize), out labels[r]))
                throw Changed(task, "fewer");
        using var scope = NewDisposeScope();
        var features = empty(size, InputSize);
        features.data<float>().CopyFrom(_batchFeatures.AsSpan(0, size * InputSize));
        return new TrainingBatch(task, number, features.to(_device), tensor(labels).to(_device));
    }

    private void CompareWithFirstPass(int task, int pass, ulong checksum)
    {
        if (_firstPasses[task - 1] is not (ulong first, int firstPass))
        {
            _firstPasses[task - 1] = (checksum, pass);
            return;
        }
        if (checksum != first)
            throw new InvalidOperationException(
                $"Task {task}: the training rows read in epoch {pass} differ from those read in epoch {firstPass}: the same " +
                $"{RowCounts[task - 1]:N0} rows, but other feature values, labels or tasks (row checksum {checksum:x16}, was " +
                $"{first:x16}; the passes after the last epoch, which recompute the batch-normalization statistics, count as " +
                "further epochs here). Streamed training reads the data again every epoch and needs the same rows every time, " +
                "in any order: cache the data (DvnEstimator.Options.TrainingData = Cached, or mlContext.Data.Cache before Fit), " +
                "or give a view that repeats exactly.");
    }

    private InvalidOperationException Changed(int task, string moreOrFewer) => new(
        $"Task {task} had {RowCounts[task - 1]:N0} training rows when training began and has {moreOrFewer} now: the training " +
        "data changed during training. Streamed training reads the data again every epoch; it must not change.");
}
