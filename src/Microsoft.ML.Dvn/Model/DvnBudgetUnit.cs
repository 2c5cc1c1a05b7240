namespace Microsoft.ML.Dvn;

/// <summary>What a row's budget counts. Each unit has its own input column (<see cref="DvnEstimator.Options"/>).</summary>
public enum DvnBudgetUnit
{
    /// <summary>
    /// Parameters: every stored number the level's prediction reads (<see cref="DvnLevelInfo.ParameterCount"/>), the
    /// paper's measure. Column <see cref="DvnEstimator.Options.MemoryBudgetColumnName"/>, default "MemoryBudget".
    /// </summary>
    Parameters,

    /// <summary>
    /// Bytes: the level's parameters at 4 bytes each plus the activations one row's prediction creates, 4 bytes a value
    /// (<see cref="DvnLevelInfo.MemoryBytes"/>). Column <see cref="DvnEstimator.Options.MemoryBudgetBytesColumnName"/>,
    /// default "MemoryBudgetBytes".
    /// </summary>
    Bytes,

    /// <summary>
    /// Microseconds of single-row prediction latency, as measured on the serving machine
    /// (<see cref="DvnTransformer.MeasureLatency"/> or <see cref="DvnTransformer.SetLatencies"/>). Column
    /// <see cref="DvnEstimator.Options.LatencyBudgetColumnName"/>, default "LatencyBudget".
    /// </summary>
    Microseconds,
}
