namespace Microsoft.ML.Dvn;

/// <summary>
/// The options a sweep searches: one dimension per option of <see cref="DvnEstimator.Options"/> that changes the model.
/// A dimension left null is fixed at <see cref="BaseOptions"/>' value; by default the learning rate, batch size and
/// weight decay are searched and the rest is fixed.
/// </summary>
/// <remarks>
/// <para>Which combinations can train is the trainer's decision, not the sweep's: every drawn combination is checked
/// with the trainer's own validation (the same rules Fit applies: levels within the units, every unit a channel of
/// every layer, a level weight per level, ...). Random search and successive halving draw again until a combination
/// passes; a grid skips a combination that does not, with the trainer's reason.</para>
/// <para>Dimensions are drawn in the order of the fields below; <see cref="DvnSearch.Dependent{T}"/> and
/// <see cref="DvnSearch.LevelWeights"/> see the values drawn before them.</para>
/// <para>Shaped like AutoML's search spaces: <see cref="DvnSweepParameters"/> is the parameter object, and the sweep
/// turns it into the estimator through the user's factory.</para>
/// </remarks>
public sealed class DvnSearchSpace
{
    // Draws of a random search before it gives up on a space whose combinations the trainer refuses.
    private const int MaximumDraws = 1000;

    /// <summary>Every option not searched (column names, device, prediction batch size, ...) and the fixed values of null dimensions.</summary>
    public DvnEstimator.Options BaseOptions = new();

    /// <summary>Adam's learning rate. Default: log-uniform between 1e-4 and 1e-2.</summary>
    public DvnSearchDimension<double>? LearningRate = DvnSearch.LogUniform(1e-4, 1e-2);

    /// <summary>Rows of one task in a mini-batch. Default: 32, 64 or 128.</summary>
    public DvnSearchDimension<int>? BatchSize = DvnSearch.Choice(32, 64, 128);

    /// <summary>
    /// Training epochs; null (default) fixes them at BaseOptions.NumberOfEpochs. Successive halving uses the largest
    /// value as the budget of its last round and gives earlier rounds fewer epochs. Cannot be dependent.
    /// </summary>
    public DvnSearchDimension<int>? NumberOfEpochs;

    /// <summary>Adam's weight decay. Default: log-uniform between 1e-6 and 1e-3, or zero.</summary>
    public DvnSearchDimension<double>? WeightDecay = DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true);

    /// <summary>Units K (0: the trainer's default, one per task); null (default) fixes BaseOptions.NumberOfUnits.</summary>
    public DvnSearchDimension<int>? NumberOfUnits;

    /// <summary>Levels L (0: as many as units); null (default) fixes BaseOptions.NumberOfLevels.</summary>
    public DvnSearchDimension<int>? NumberOfLevels;

    /// <summary>The backbone: a choice of architectures or <see cref="DvnSearch.MlpWidths"/>; null (default) fixes BaseOptions.Architecture.</summary>
    public DvnSearchDimension<DvnArchitecture>? Architecture;

    /// <summary>In-place distillation's weight, within [0, 1]; null (default) fixes BaseOptions.DistillationWeight.</summary>
    public DvnSearchDimension<double>? DistillationWeight;

    /// <summary>The learning-rate schedule; null (default) fixes BaseOptions.LearningRateSchedule.</summary>
    public DvnSearchDimension<DvnLearningRateSchedule>? LearningRateSchedule;

    /// <summary>How the tasks' batches follow each other; null (default) fixes BaseOptions.BatchOrder.</summary>
    public DvnSearchDimension<DvnBatchOrder>? BatchOrder;

    /// <summary>Which tasks share the most units; null (default) fixes BaseOptions.TaskOrder.</summary>
    public DvnSearchDimension<DvnTaskOrder>? TaskOrder;

    /// <summary>
    /// Per-level loss weights, as many as the trial's levels (<see cref="DvnSearch.LevelWeights"/> sizes them by the
    /// levels drawn); null (default) fixes BaseOptions.LevelWeights.
    /// </summary>
    public DvnSearchDimension<double[]?>? LevelWeights;

    /// <summary>The largest number of epochs a trial trains.</summary>
    internal int MaximumEpochs => Epochs.Grid(Defaults).Max();

    /// <summary>
    /// Draws one combination that the trainer accepts for data of <paramref name="tasks"/> tasks. Every dimension is
    /// drawn every time, in a fixed order, so a seed gives the same trials whatever the values drawn.
    /// </summary>
    internal DvnSweepParameters Sample(Random random, int tasks)
    {
        string? reason = null;
        for (int draw = 0; draw < MaximumDraws; draw++)
        {
            var drawn = Defaults;
            foreach (var step in Steps())
                drawn = step.Sample(random, Resolved(drawn, tasks))(drawn);
            reason = Inadmissible(drawn, tasks);
            if (reason is null)
                return drawn;
        }
        throw new InvalidOperationException(NothingAdmissible(tasks, reason!));
    }

    /// <summary>
    /// Every combination of the dimensions' grids, in order (the last dimension varies fastest); a combination the
    /// trainer refuses comes without parameters, with its values and the trainer's reason.
    /// </summary>
    internal IEnumerable<(DvnSweepParameters? Parameters, string Combination, string? Skipped)> Grid(int tasks)
    {
        foreach (var combination in Combinations(Steps().ToArray(), 0, Defaults, tasks))
        {
            string? reason = Inadmissible(combination, tasks);
            yield return (reason is null ? combination : null, combination.ToString(), reason);
        }
    }

    /// <summary>Fails when the space cannot be searched at all (checked before a sweep starts).</summary>
    internal void Check(int tasks)
    {
        ArgumentNullException.ThrowIfNull(BaseOptions);
        if (NumberOfEpochs?.IsDependent == true)
            throw new ArgumentException("DvnSearchSpace.NumberOfEpochs cannot be dependent: halving needs the largest number of epochs before it draws.");
        try
        {
            Sample(new Random(0), tasks);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    /// <summary>The trainer's reason to refuse a combination on <paramref name="tasks"/> tasks, or null.</summary>
    internal string? Inadmissible(DvnSweepParameters parameters, int tasks) => DvnEstimator.Inadmissible(parameters.ToOptions(BaseOptions, 0), tasks);

    /// <summary>The combination with its units and levels as the counts the trainer makes of them (0 resolved).</summary>
    internal DvnSweepParameters Resolved(DvnSweepParameters drawn, int tasks)
    {
        var (units, levels) = DvnEstimator.UnitsAndLevels(drawn.ToOptions(BaseOptions, 0), tasks);
        return drawn with { NumberOfUnits = units, NumberOfLevels = levels };
    }

    internal DvnSweepParameters Defaults => DvnSweepParameters.From(BaseOptions);

    internal DvnSearchDimension<int> Units => NumberOfUnits ?? DvnSearch.Fixed(BaseOptions.NumberOfUnits);

    internal DvnSearchDimension<int> Levels => NumberOfLevels ?? DvnSearch.Fixed(BaseOptions.NumberOfLevels);

    internal DvnSearchDimension<DvnArchitecture> Backbone => Architecture ?? DvnSearch.Fixed(BaseOptions.Architecture);

    private DvnSearchDimension<int> Epochs => NumberOfEpochs ?? DvnSearch.Fixed(BaseOptions.NumberOfEpochs);

    private IEnumerable<Step> Steps()
    {
        yield return Step.Of(LearningRate ?? DvnSearch.Fixed(BaseOptions.LearningRate), (p, v) => p with { LearningRate = v });
        yield return Step.Of(BatchSize ?? DvnSearch.Fixed(BaseOptions.BatchSize), (p, v) => p with { BatchSize = v });
        yield return Step.Of(Epochs, (p, v) => p with { NumberOfEpochs = v });
        yield return Step.Of(WeightDecay ?? DvnSearch.Fixed(BaseOptions.WeightDecay), (p, v) => p with { WeightDecay = v });
        yield return Step.Of(Units, (p, v) => p with { NumberOfUnits = v });
        yield return Step.Of(Levels, (p, v) => p with { NumberOfLevels = v });
        yield return Step.Of(Backbone, (p, v) => p with { Architecture = v });
        yield return Step.Of(DistillationWeight ?? DvnSearch.Fixed(BaseOptions.DistillationWeight), (p, v) => p with { DistillationWeight = v });
        yield return Step.Of(LearningRateSchedule ?? DvnSearch.Fixed(BaseOptions.LearningRateSchedule), (p, v) => p with { LearningRateSchedule = v });
        yield return Step.Of(BatchOrder ?? DvnSearch.Fixed(BaseOptions.BatchOrder), (p, v) => p with { BatchOrder = v });
        yield return Step.Of(TaskOrder ?? DvnSearch.Fixed(BaseOptions.TaskOrder), (p, v) => p with { TaskOrder = v });
        yield return Step.Of(LevelWeights ?? DvnSearch.Fixed(BaseOptions.LevelWeights), (p, v) => p with { LevelWeights = v });
    }

    private IEnumerable<DvnSweepParameters> Combinations(Step[] steps, int index, DvnSweepParameters drawn, int tasks)
    {
        if (index == steps.Length)
        {
            yield return drawn;
            yield break;
        }
        foreach (var set in steps[index].Grid(Resolved(drawn, tasks)))
            foreach (var combination in Combinations(steps, index + 1, set(drawn), tasks))
                yield return combination;
    }

    private static string NothingAdmissible(int tasks, string lastReason) =>
        $"No combination of the search space can train on {tasks} tasks: {MaximumDraws} draws were all refused by the trainer, the last " +
        $"because: {lastReason} Widen the dimensions that the message names.";

    // One dimension and how its value goes into the parameters: a draw, or every grid value, given the values before it.
    private sealed record Step(
        Func<Random, DvnSweepParameters, Func<DvnSweepParameters, DvnSweepParameters>> Sample,
        Func<DvnSweepParameters, IEnumerable<Func<DvnSweepParameters, DvnSweepParameters>>> Grid)
    {
        public static Step Of<T>(DvnSearchDimension<T> dimension, Func<DvnSweepParameters, T, DvnSweepParameters> set) => new(
            (random, view) =>
            {
                var value = dimension.Sample(random, view);
                return p => set(p, value);
            },
            view => dimension.Grid(view).Select(value => (Func<DvnSweepParameters, DvnSweepParameters>)(p => set(p, value))).ToArray());
    }
}
