namespace Microsoft.ML.Dvn;

/// <summary>
/// The options a sweep chooses for one trial: the parameter object of AutoML's sweepable estimators. The rest of
/// <see cref="DvnEstimator.Options"/> (column names, device, ...) comes from <see cref="DvnSearchSpace.BaseOptions"/>.
/// Every name is the name of the option it sets.
/// </summary>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="BatchSize">Rows of one task in a mini-batch.</param>
/// <param name="NumberOfEpochs">Passes over the training rows.</param>
/// <param name="WeightDecay">Adam's L2 weight decay.</param>
/// <param name="NumberOfUnits">Units K; 0 means the trainer's default (one per task).</param>
/// <param name="NumberOfLevels">Levels L; 0 means as many as units.</param>
/// <param name="Architecture">The backbone.</param>
public sealed record DvnSweepParameters(
    double LearningRate, int BatchSize, int NumberOfEpochs, double WeightDecay, int NumberOfUnits, int NumberOfLevels, DvnArchitecture Architecture)
{
    private readonly double[]? _levelWeights;

    /// <summary>Each level's loss weight, level 1 first; null weighs every level 1 (<see cref="DvnEstimator.Options.LevelWeights"/>).</summary>
    public IReadOnlyList<double>? LevelWeights
    {
        get => _levelWeights;
        init => _levelWeights = value?.ToArray();
    }

    /// <summary>In-place distillation's weight (<see cref="DvnEstimator.Options.DistillationWeight"/>). Default 0.</summary>
    public double DistillationWeight { get; init; }

    /// <summary>The learning-rate schedule (<see cref="DvnEstimator.Options.LearningRateSchedule"/>). Default the options' default, ConstantThenCosine.</summary>
    public DvnLearningRateSchedule LearningRateSchedule { get; init; } = DvnLearningRateSchedule.ConstantThenCosine;

    /// <summary>How tasks' batches follow each other (<see cref="DvnEstimator.Options.BatchOrder"/>). Default round-robin.</summary>
    public DvnBatchOrder BatchOrder { get; init; } = DvnBatchOrder.RoundRobin;

    /// <summary>Which tasks share the most units (<see cref="DvnEstimator.Options.TaskOrder"/>). Default by task key.</summary>
    public DvnTaskOrder TaskOrder { get; init; } = DvnTaskOrder.TaskKeys;

    /// <summary>These values and the given seed on a copy of <paramref name="baseOptions"/>.</summary>
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
        options.LevelWeights = _levelWeights?.ToArray();
        options.DistillationWeight = DistillationWeight;
        options.LearningRateSchedule = LearningRateSchedule;
        options.BatchOrder = BatchOrder;
        options.TaskOrder = TaskOrder;
        options.Seed = seed;
        return options;
    }

    /// <summary>The searchable values of <paramref name="options"/> (its architecture, epochs and so on).</summary>
    public static DvnSweepParameters From(DvnEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DvnSweepParameters(options.LearningRate, options.BatchSize, options.NumberOfEpochs, options.WeightDecay,
            options.NumberOfUnits, options.NumberOfLevels, options.Architecture)
        {
            LevelWeights = options.LevelWeights,
            DistillationWeight = options.DistillationWeight,
            LearningRateSchedule = options.LearningRateSchedule,
            BatchOrder = options.BatchOrder,
            TaskOrder = options.TaskOrder,
        };
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
        ["levelWeights"] = _levelWeights is null ? "equal" : string.Join(" ", _levelWeights.Select(w => w.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))),
        ["distillationWeight"] = DistillationWeight,
        ["learningRateSchedule"] = LearningRateSchedule.ToString(),
        ["batchOrder"] = BatchOrder.ToString(),
        ["taskOrder"] = TaskOrder.ToString(),
    };

    /// <summary>Equal when every value is (level weights compared value by value).</summary>
    public bool Equals(DvnSweepParameters? other) =>
        other is not null && LearningRate.Equals(other.LearningRate) && BatchSize == other.BatchSize && NumberOfEpochs == other.NumberOfEpochs &&
        WeightDecay.Equals(other.WeightDecay) && NumberOfUnits == other.NumberOfUnits && NumberOfLevels == other.NumberOfLevels &&
        Equals(Architecture, other.Architecture) && DistillationWeight.Equals(other.DistillationWeight) &&
        LearningRateSchedule == other.LearningRateSchedule && BatchOrder == other.BatchOrder && TaskOrder == other.TaskOrder &&
        (_levelWeights is null ? other._levelWeights is null : other._levelWeights is not null && _levelWeights.SequenceEqual(other._levelWeights));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(LearningRate, BatchSize, NumberOfEpochs, WeightDecay, NumberOfUnits, NumberOfLevels,
        Architecture, HashCode.Combine(DistillationWeight, LearningRateSchedule, BatchOrder, TaskOrder, _levelWeights?.Length));

    /// <inheritdoc />
    public override string ToString() =>
        $"learning rate {LearningRate:G3}, batch {BatchSize}, {NumberOfEpochs} epochs, weight decay {WeightDecay:G3}, " +
        $"units {(NumberOfUnits == 0 ? "default" : NumberOfUnits)}, levels {(NumberOfLevels == 0 ? "one per unit" : NumberOfLevels)}, {Architecture}" +
        (_levelWeights is null ? "" : $", level weights {string.Join("/", _levelWeights.Select(w => w.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))}") +
        (DistillationWeight == 0 ? "" : $", distillation {DistillationWeight:G3}") +
        (LearningRateSchedule == DvnLearningRateSchedule.Constant ? "" : $", {LearningRateSchedule.ToString().ToLowerInvariant()} schedule") +
        (BatchOrder == DvnBatchOrder.RoundRobin ? "" : $", {BatchOrder.ToString().ToLowerInvariant()} batches") +
        (TaskOrder == DvnTaskOrder.TaskKeys ? "" : $", task order {TaskOrder.ToString().ToLowerInvariant()}");
}
