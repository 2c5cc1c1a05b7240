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
    /// task's class order; the rest of the row's stride is left as it is.
    /// </summary>
    /// <param name="features">At least rows x InputSize values, row-major (a reusable buffer: its length is a multiple of InputSize).</param>
    /// <param name="tasks">The task of every row, 1-based.</param>
    /// <param name="levels">The level of every row, 1-based.</param>
    /// <param name="probabilities">rows x <see cref="MaxClasses"/> values, row-major.</param>
    public void Predict(float[] features, ReadOnlySpan<int> tasks, ReadOnlySpan<int> levels, Span<float> probabilities)
    {
        int rows = tasks.Length, inputs = _network.InputSize;
        Native.IntraOpThreads.ApplyToCurrentThread();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = tensor(features, new long[] { features.Length / inputs, inputs }).narrow(0, 0, rows);
        if (_device.type != TorchSharp.DeviceType.CPU)
            batch = batch.to(_device);

        if (AllSame(tasks, levels))
        {
            Write(Probabilities(batch, tasks[0], levels[0]), Enumerable.Range(0, rows).ToArray(), probabilities);
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
            var index = tensor(members.Select(r => (long)r).ToArray(), device: batch.device);
            Write(Probabilities(batch.index_select(0, index), task, level), members.ToArray(), probabilities);
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
