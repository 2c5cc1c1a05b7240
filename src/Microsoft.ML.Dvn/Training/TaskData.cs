using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// The rows of one task, cached as tensors on the training device: features [rows, inputSize] (float32) and labels
/// [rows] (int64, the task's own class index 0..classes-1). Owns and disposes both.
/// </summary>
internal sealed class TaskData : IDisposable
{
    public TaskData(Tensor features, Tensor labels)
    {
        if (features.dim() != 2 || labels.dim() != 1 || features.shape[0] != labels.shape[0])
            throw new ArgumentException(
                $"Task data needs features [rows, inputs] and labels [rows]; got [{string.Join(", ", features.shape)}] " +
                $"and [{string.Join(", ", labels.shape)}].");
        Features = features;
        Labels = labels;
    }

    public Tensor Features { get; }

    public Tensor Labels { get; }

    public long RowCount => Labels.shape[0];

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
