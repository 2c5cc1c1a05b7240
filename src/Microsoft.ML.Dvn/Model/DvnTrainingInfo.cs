namespace Microsoft.ML.Dvn;

/// <summary>How a DVN was trained; saved with the model.</summary>
/// <param name="NumberOfEpochs">Passes over every task's training rows.</param>
/// <param name="BatchSize">Rows of one task in a mini-batch.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="WeightDecay">Adam's L2 weight decay.</param>
/// <param name="Seed">The seed actually used (the option's, the MLContext's, or a random one).</param>
/// <param name="RowsPerTask">Training rows of each task, task key t at index t-1.</param>
public sealed record DvnTrainingInfo(int NumberOfEpochs, int BatchSize, double LearningRate, double WeightDecay, long Seed, IReadOnlyList<long> RowsPerTask);
