namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// A row as the model's pipeline reads it: the samples' columns (Features, Label, Task) and a budget in each unit,
/// NaN where the request gives none. The feature vector's size comes from the loaded model (see <see cref="ServedModel"/>).
/// </summary>
public sealed class ServingInput
{
    public float[] Features { get; set; } = Array.Empty<float>();

    /// <summary>Unused at prediction; the pipeline's label mapping needs the column.</summary>
    public string Label { get; set; } = "";

    public string Task { get; set; } = "";

    public double MemoryBudget { get; set; } = double.NaN;

    public double MemoryBudgetBytes { get; set; } = double.NaN;

    public double LatencyBudget { get; set; } = double.NaN;
}

/// <summary>What the pipeline adds to a <see cref="ServingInput"/>.</summary>
public sealed class ServingOutput
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string PredictedLabel { get; set; } = "";

    public uint Level { get; set; }

    public long ParameterCount { get; set; }
}
