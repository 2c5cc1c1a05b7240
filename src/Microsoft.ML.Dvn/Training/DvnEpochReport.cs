namespace Microsoft.ML.Dvn;

/// <summary>Progress after one training epoch: every (task, level), and the time spent and left.</summary>
/// <param name="Epoch">The epoch just finished, 1-based.</param>
/// <param name="NumberOfEpochs">All epochs of this training.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Levels">Loss and accuracy of every (task, level), by task then level.</param>
public sealed record DvnEpochReport(int Epoch, int NumberOfEpochs, TimeSpan Elapsed, IReadOnlyList<DvnLevelProgress> Levels)
{
    /// <summary>Time left, assuming the remaining epochs take as long as the finished ones did on average.</summary>
    public TimeSpan EstimatedRemaining => Elapsed / Epoch * (NumberOfEpochs - Epoch);
}
