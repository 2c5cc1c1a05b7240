namespace Microsoft.ML.Dvn;

/// <summary>One level of one task's virtual network: what it costs and which units it uses.</summary>
/// <param name="Task">The task key (1-based, as in the task column).</param>
/// <param name="Level">The level, 1-based; higher levels contain the lower ones.</param>
/// <param name="ParameterCount">Every stored number this level's prediction reads: weight blocks, its normalizations
/// (scale, shift, running mean and variance) and its head. A budget of at least this size selects it.</param>
/// <param name="Units">The units it uses, 1-based, ascending.</param>
public sealed record DvnLevelInfo(int Task, int Level, long ParameterCount, IReadOnlyList<int> Units)
{
    /// <summary>
    /// Bytes one row's prediction at this level needs: its parameters (4 bytes each) plus <see cref="ActivationBytes"/>.
    /// A budget in bytes (<see cref="DvnBudgetUnit.Bytes"/>) of at least this selects it. Computed from the network's
    /// declared shape, the same on every machine.
    /// </summary>
    public long MemoryBytes { get; init; }

    /// <summary>
    /// Bytes of the activations a one-row prediction creates, 4 a value: the row's features; for each convolution its
    /// output, normalization and ReLU (channels x height x width each) and the pooling's quarter of that; for each fully
    /// connected layer its output, normalization and ReLU; the head's logits and probabilities. Every tensor of a forward
    /// pass is kept until the pass ends, so this is what the pass holds at its end, not a smaller peak that freeing
    /// early would give. Channels padded for oneDNN on AVX-512 CPUs are not counted.
    /// </summary>
    public long ActivationBytes { get; init; }

    /// <summary>
    /// The measured single-row latency in microseconds from the transformer's latency table
    /// (<see cref="DvnTransformer.Latencies"/>), or null without one. A latency budget of at least this selects it.
    /// </summary>
    public double? LatencyMicroseconds { get; init; }
}
