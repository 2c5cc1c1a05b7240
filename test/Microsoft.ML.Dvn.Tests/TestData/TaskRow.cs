using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>A row of the generated multi-task data as ML.NET sees it.</summary>
public sealed class TaskRow
{
    [VectorType(GeneratedTasks.FeatureCount)]
    public float[] Features { get; set; } = Array.Empty<float>();

    /// <summary>The label, prefixed with its task's name ("alpha:2"): the tasks have different label sets.</summary>
    public string Label { get; set; } = "";

    public string Task { get; set; } = "";

    public double MemoryBudget { get; set; } = double.NaN;
}

/// <summary>What the pipeline writes, read back through a PredictionEngine or CreateEnumerable.</summary>
public sealed class TaskPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string PredictedLabel { get; set; } = "";

    public uint Level { get; set; }

    public long ParameterCount { get; set; }
}
