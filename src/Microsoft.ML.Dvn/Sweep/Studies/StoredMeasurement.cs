namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// What a study keeps of one evaluation of a configuration at a number of epochs, enough to rebuild the trial: whether
/// it failed and why, its fit and evaluation seconds, the epochs its fits trained (summed over folds; a continued round
/// counts its new epochs only), and every (task, level) it measured.
/// </summary>
internal sealed record StoredMeasurement(bool Failed, string? Message, double FitSeconds, double EvaluationSeconds, IReadOnlyList<DvnSweepLevel> Levels,
    int TrainedEpochs = 0);
