namespace Microsoft.ML.Dvn.Training;

/// <summary>How <see cref="DvnTrainer"/> trains.</summary>
/// <param name="Epochs">Passes over every task's rows.</param>
/// <param name="BatchSize">Rows of one task in a mini-batch.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="WeightDecay">Adam's L2 penalty.</param>
/// <param name="Seed">Fixes the order of the rows.</param>
/// <param name="Levels">Which levels each batch trains; null for all (the method). A subset serves tests and experiments.</param>
/// <param name="LevelWeights">Weight w_j of each level's loss; null for 1 each (the paper's default).</param>
internal sealed record DvnTrainingSettings(
    int Epochs,
    int BatchSize,
    double LearningRate,
    double WeightDecay,
    long Seed,
    IReadOnlyList<int>? Levels = null,
    IReadOnlyList<double>? LevelWeights = null);
