namespace Microsoft.ML.Dvn;

/// <summary>A trial refitted on training data with several seeds and measured on test data (<see cref="DvnSweep.Test"/>).</summary>
/// <param name="Trial">The trial whose options were refitted.</param>
/// <param name="Seeds">The training seeds, one fit each.</param>
/// <param name="Levels">Every (task, level) on the test data, the mean over the seeds (accuracy, macro-accuracy, log-loss).</param>
/// <param name="LevelsBySeed">Every (task, level) of each seed's fit, in the order of <paramref name="Seeds"/>.</param>
/// <param name="FitSeconds">Wall time of all the fits.</param>
public sealed record DvnSweepTestResult(
    DvnSweepTrial Trial, IReadOnlyList<int> Seeds, IReadOnlyList<DvnSweepLevel> Levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> LevelsBySeed,
    double FitSeconds);
