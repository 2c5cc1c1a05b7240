using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// Class probabilities from a trained network for a batch of rows, each with its own (task, level): rows are grouped
/// by (task, level) and every group runs as one batch. Stateless between calls, so several threads may share it.
/// </summary>
internal sealed class LevelPredictor
{
    private readonly DvnNetwork _network;
    private readonly Device _device;

    public LevelPredictor(DvnNetwork network, Device device)
    {
        _network = network;
        _device = device;
        MaxClasses = network.ClassCounts.Max();
    }

    /// <summary>The widest task: the stride of a row in the probabilities buffer.</summary>
    public int MaxClasses { get; }

    /// <summary>
    /// Writes, for row r, the probabilities of its task's classes to probabilities[r * MaxClasses ..], in the
    /// task's class order; the rest of the row's stride is left as it is. Each (task, level) group runs in pieces of as
    /// many rows as fit the prediction memory limit (<see cref="DvnRuntime.MaxPredictionMemoryBytes"/>), every piece in
    /// its own dispose scope, so what libtorch holds at once stays within the limit.
    /// </summary>
    /// <param name="features">At least rows x InputSize values, row-major (a reusable buffer: its length is a multiple of InputSize).</param>
    /// <param name="tasks">The task of every row, 1-based.</param>
    /// <param name="levels">The level of every row, 1-based.</param>
    /// <param name="probabilities">rows x <see cref="MaxClasses"/> values, row-major.</param>
    /// <exception cref="InvalidOperationException">One row of a (task, level) alone needs more than the limit.</exception>
    public void Predict(float[] features, ReadOnlySpan<int> tasks, ReadOnlySpan<int> levels, Span<float> probabilities)
    {
        int rows = tasks.Length, inputs = _network.InputSize;
        long limit = Native.PredictionMemory.Limit;
        Native.IntraOpThreads.ApplyToCurrentThread();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = tensor(features, new long[] { features.Length / inputs, inputs }).narrow(0, 0, rows);
        if (_device.type != TorchSharp.DeviceType.CPU)
            batch = batch.to(_device);

        if (AllSame(tasks, levels))
        {
            int piece = RowsWithin(limit, tasks[0], levels[0]);
            for (int start = 0; start < rows; start += piece)
            {
                using var pieceScope = NewDisposeScope();
                int count = Math.Min(piece, rows - start);
                Write(Probabilities(batch.narrow(0, start, count), tasks[0], levels[0]), Enumerable.Range(start, count).ToArray(), probabilities);
            }
            return;
        }
        var groups = new Dictionary<(int Task, int Level), List<int>>();
        for (int r = 0; r < rows; r++)
        {
            if (!groups.TryGetValue((tasks[r], levels[r]), out var members))
                groups[(tasks[r], levels[r])] = members = new List<int>();
            members.Add(r);
        }
        foreach (var ((task, level), members) in groups)
        {
            int piece = RowsWithin(limit, task, level);
            foreach (var part in members.Chunk(piece))
            {
                using var pieceScope = NewDisposeScope();
                var index = tensor(part.Select(r => (long)r).ToArray(), device: batch.device);
                Write(Probabilities(batch.index_select(0, index), task, level), part, probabilities);
            }
        }
    }

    /// <summary>
    /// The prediction memory limit's error for the first (task, level) of which one row alone needs more than the
    /// limit; null when every level can predict a row within it.
    /// </summary>
    public string? LevelOverLimit()
    {
        long limit = Native.PredictionMemory.Limit;
        for (int task = 1; task <= _network.NumberOfTasks; task++)
            for (int level = 1; level <= _network.NumberOfLevels; level++)
                if (BytesPerRow(task, level) is var bytes && bytes > limit)
                    return Native.PredictionMemory.TooLarge(task, level, bytes, limit);
        return null;
    }

    // The rows of (task, level) whose activations fit the limit together; at least one, or the limit's error.
    private int RowsWithin(long limit, int task, int level)
    {
        long bytes = BytesPerRow(task, level);
        if (bytes > limit)
            throw new InvalidOperationException(Native.PredictionMemory.TooLarge(task, level, bytes, limit) + ".");
        return (int)Math.Min(int.MaxValue, limit / bytes);
    }

    private long BytesPerRow(int task, int level)
    {
        try
        {
            return _network.ActivationBytesPerRow(task, level);
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    private Tensor Probabilities(Tensor rows, int task, int level) =>
        nn.functional.softmax(_network.Forward(rows, task, level), 1).cpu();

    private void Write(Tensor groupProbabilities, int[] rows, Span<float> probabilities)
    {
        int classes = (int)groupProbabilities.shape[1];
        var values = groupProbabilities.contiguous().data<float>().ToArray();
        for (int i = 0; i < rows.Length; i++)
            values.AsSpan(i * classes, classes).CopyTo(probabilities.Slice(rows[i] * MaxClasses, classes));
    }

    private static bool AllSame(ReadOnlySpan<int> tasks, ReadOnlySpan<int> levels)
    {
        for (int r = 1; r < tasks.Length; r++)
            if (tasks[r] != tasks[0] || levels[r] != levels[0])
                return false;
        return true;
    }
}
