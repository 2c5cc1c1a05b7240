using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>One image of one task, as the DVN pipeline reads it.</summary>
internal sealed class TaskRow
{
    /// <summary>The task's view of the image: 28 x 28 pixels in [0, 1], row-major.</summary>
    [VectorType(ImageSet.PixelCount)]
    public float[] Features { get; set; } = Array.Empty<float>();

    /// <summary>The class, prefixed with the task's name ("coarse:footwear") so one key column holds every task's labels.</summary>
    public string Label { get; set; } = "";

    public string Task { get; set; } = "";

    /// <summary>The parameters the prediction may read; NaN means no limit (the task's highest level).</summary>
    public double MemoryBudget { get; set; } = double.NaN;

    public TaskRow WithBudget(double budget) => new() { Features = Features, Label = Label, Task = Task, MemoryBudget = budget };
}

/// <summary>What the DVN pipeline adds to a <see cref="TaskRow"/>.</summary>
internal sealed class TaskPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string PredictedLabel { get; set; } = "";

    public uint Level { get; set; }

    public long ParameterCount { get; set; }
}
