namespace Microsoft.ML.Dvn;

/// <summary>How one (task, level) of a trial did on the sweep's held-out rows (the mean over folds with cross-validation).</summary>
/// <param name="Task">The task's name (its value in the task column), or its key where the column has no values.</param>
/// <param name="TaskKey">The task key (1-based).</param>
/// <param name="Level">The level, 1-based.</param>
/// <param name="ParameterCount">The parameters a prediction of this (task, level) reads.</param>
/// <param name="Accuracy">Micro-accuracy.</param>
/// <param name="MacroAccuracy">Mean over labels of the share predicted right.</param>
/// <param name="LogLoss">Mean log-loss.</param>
public sealed record DvnSweepLevel(string Task, int TaskKey, int Level, long ParameterCount, double Accuracy, double MacroAccuracy, double LogLoss);
