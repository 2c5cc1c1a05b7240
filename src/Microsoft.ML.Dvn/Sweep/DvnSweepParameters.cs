namespace Microsoft.ML.Dvn;

/// <summary>
/// The options a sweep chooses for one trial: the parameter object of AutoML's sweepable estimators. The rest of
/// <see cref="DvnEstimator.Options"/> (column names, device, ...) comes from <see cref="DvnSearchSpace.BaseOptions"/>.
/// </summary>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="BatchSize">Rows of one task in a mini-batch.</param>
/// <param name="NumberOfEpochs">Passes over the training rows.</param>
/// <param name="WeightDecay">Adam's L2 weight decay.</param>
/// <param name="NumberOfUnits">Units K; 0 means one per task.</param>
/// <param name="NumberOfLevels">Levels L; 0 means as many as units.</param>
/// <param name="Architecture">The backbone.</param>
public sealed record DvnSweepParameters(
    double LearningRate, int BatchSize, int NumberOfEpochs, double WeightDecay, int NumberOfUnits, int NumberOfLevels, DvnArchitecture Architecture)
{
    /// <summary>A copy of <paramref name="baseOptions"/> with these values and the given seed.</summary>
    public DvnEstimator.Options ToOptions(DvnEstimator.Options baseOptions, int seed)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        var options = baseOptions.Copy();
        options.LearningRate = LearningRate;
        options.BatchSize = BatchSize;
        options.NumberOfEpochs = NumberOfEpochs;
        options.WeightDecay = WeightDecay;
        options.NumberOfUnits = NumberOfUnits;
        options.NumberOfLevels = NumberOfLevels;
        options.Architecture = Architecture;
        options.Seed = seed;
        return options;
    }

    /// <summary>The values by name, for reports (the names of <see cref="DvnEstimator.Options"/>, camel-cased).</summary>
    public IReadOnlyDictionary<string, object> ToDictionary() => new Dictionary<string, object>
    {
        ["learningRate"] = LearningRate,
        ["batchSize"] = BatchSize,
        ["numberOfEpochs"] = NumberOfEpochs,
        ["weightDecay"] = WeightDecay,
        ["numberOfUnits"] = NumberOfUnits,
        ["numberOfLevels"] = NumberOfLevels,
        ["architecture"] = Architecture.ToString(),
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"learning rate {LearningRate:G3}, batch {BatchSize}, {NumberOfEpochs} epochs, weight decay {WeightDecay:G3}, " +
        $"units {(NumberOfUnits == 0 ? "one per task" : NumberOfUnits)}, levels {(NumberOfLevels == 0 ? "one per unit" : NumberOfLevels)}, {Architecture}";
}
