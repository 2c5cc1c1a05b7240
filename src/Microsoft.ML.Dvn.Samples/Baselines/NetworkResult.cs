namespace Microsoft.ML.Dvn.Samples.Baselines;

/// <summary>One contender made of networks: what it stores, how long it trained and how every (task, level) did.</summary>
internal sealed record NetworkResult(long StoredParameters, double TrainSeconds, IReadOnlyList<LevelResult> Levels);

/// <param name="Parameters">The parameters a prediction of this (task, level) reads.</param>
/// <param name="Accuracy">Micro-accuracy on the task's test rows.</param>
/// <param name="MacroAccuracy">Mean over classes of the share predicted right.</param>
internal sealed record LevelResult(string Task, int Level, long Parameters, double Accuracy, double MacroAccuracy);
