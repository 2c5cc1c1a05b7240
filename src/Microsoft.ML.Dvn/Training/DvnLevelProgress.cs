namespace Microsoft.ML.Dvn;

/// <summary>How one (task, level) did in one training epoch.</summary>
/// <param name="Task">The task, 1-based.</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="TrainingLoss">Mean cross-entropy over the epoch's training rows of the task.</param>
/// <param name="TrainingAccuracy">Accuracy over the epoch's training rows, measured while training (batch statistics).</param>
/// <param name="ValidationAccuracy">
/// Accuracy on the validation set after the epoch, or null without one. After the last epoch it is measured with the
/// recalibrated normalization statistics the model keeps; after earlier epochs, with the running averages of training.
/// </param>
public sealed record DvnLevelProgress(int Task, int Level, double TrainingLoss, double TrainingAccuracy, double? ValidationAccuracy);
