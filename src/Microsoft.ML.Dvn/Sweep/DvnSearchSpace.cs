namespace Microsoft.ML.Dvn;

/// <summary>
/// The options a sweep searches: one dimension per option of <see cref="DvnEstimator.Options"/> that matters for the
/// accuracy/size trade-off. A dimension left null is fixed at <see cref="BaseOptions"/>' value; by default the
/// learning rate, batch size and weight decay are searched and the rest is fixed.
/// </summary>
/// <remarks>
/// <para>Combinations that cannot train are never sampled (random search, successive halving) and are skipped with
/// a reason by a grid: more levels than units, and architectures whose hidden widths the number of units does not
/// divide (every unit gets the same share of every layer).</para>
/// <para>Shaped like AutoML's search spaces: <see cref="DvnSweepParameters"/> is the parameter object, and the sweep
/// turns it into the estimator through the user's factory.</para>
/// </remarks>
public sealed class DvnSearchSpace
{
    /// <summary>Every option not searched (column names, device, prediction batch size, ...) and the fixed values of null dimensions.</summary>
    public DvnEstimator.Options BaseOptions = new();

    /// <summary>Adam's learning rate. Default: log-uniform between 1e-4 and 1e-2.</summary>
    public DvnSearchDimension<double>? LearningRate = DvnSearch.LogUniform(1e-4, 1e-2);

    /// <summary>Rows of one task in a mini-batch. Default: 32, 64 or 128.</summary>
    public DvnSearchDimension<int>? BatchSize = DvnSearch.Choice(32, 64, 128);

    /// <summary>
    /// Training epochs; null (default) fixes them at BaseOptions.NumberOfEpochs. Successive halving uses the largest
    /// value as the budget of its last round and gives earlier rounds fewer epochs.
    /// </summary>
    public DvnSearchDimension<int>? NumberOfEpochs;

    /// <summary>Adam's weight decay. Default: log-uniform between 1e-6 and 1e-3, or zero.</summary>
    public DvnSearchDimension<double>? WeightDecay = DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true);

    /// <summary>Units K (0: one per task); null (default) fixes BaseOptions.NumberOfUnits.</summary>
    public DvnSearchDimension<int>? NumberOfUnits;

    /// <summary>Levels L (0: as many as units); null (default) fixes BaseOptions.NumberOfLevels.</summary>
    public DvnSearchDimension<int>? NumberOfLevels;

    /// <summary>The backbone: a choice of architectures or <see cref="DvnSearch.MlpWidths"/>; null (default) fixes BaseOptions.Architecture.</summary>
    public DvnSearchDimension<DvnArchitecture>? Architecture;

    /// <summary>The largest number of epochs a trial trains.</summary>
    internal int MaximumEpochs => Epochs.Grid(0).Max();

    /// <summary>
    /// Draws one valid combination for data with <paramref name="tasks"/> tasks. Every dimension is drawn every time, in
    /// a fixed order, so a seed gives the same trials whatever the values drawn.
    /// </summary>
    internal DvnSweepParameters Sample(Random random, int tasks)
    {
        var units = AdmissibleUnits(tasks);
        if (units.Count == 0)
            throw new InvalidOperationException(NothingAdmissible(tasks));
        double learningRate = Rate.Sample(random, 0);
        int batchSize = Batch.Sample(random, 0);
        int epochs = Epochs.Sample(random, 0);
        double weightDecay = Decay.Sample(random, 0);
        int unitOption = units[random.Next(units.Count)];
        int k = UnitsOf(unitOption, tasks);
        var levels = Levels.Grid(k).Where(l => l >= 0 && l <= k).ToArray();
        int levelOption = levels[random.Next(levels.Length)];
        var architecture = Backbone.Sample(random, k);
        return new DvnSweepParameters(learningRate, batchSize, epochs, weightDecay, unitOption, levelOption, architecture);
    }

    /// <summary>
    /// Every combination of the dimensions' grids, in order (the last dimension varies fastest); combinations that
    /// cannot train come without parameters, with their values and the reason.
    /// </summary>
    internal IEnumerable<(DvnSweepParameters? Parameters, string Combination, string? Skipped)> Grid(int tasks)
    {
        foreach (double learningRate in Rate.Grid(0))
            foreach (int batchSize in Batch.Grid(0))
                foreach (int epochs in Epochs.Grid(0))
                    foreach (double weightDecay in Decay.Grid(0))
                        foreach (int unitOption in Units.Grid(0))
                        {
                            int k = UnitsOf(unitOption, tasks);
                            var architectures = Backbone.Grid(k);
                            foreach (int levelOption in Levels.Grid(k))
                            {
                                string combination = $"learning rate {learningRate:G3}, batch {batchSize}, {epochs} epochs, " +
                                                     $"weight decay {weightDecay:G3}, {k} units, {levelOption} levels";
                                if (levelOption < 0 || levelOption > k)
                                    yield return (null, combination, $"the number of levels must be 0 (one per unit) or within 1..{k}, the units");
                                else if (architectures.Count == 0)
                                    yield return (null, combination, $"no architecture of the space has hidden widths that {k} units divide");
                                else
                                    foreach (var architecture in architectures)
                                        yield return (new DvnSweepParameters(learningRate, batchSize, epochs, weightDecay, unitOption, levelOption, architecture),
                                            combination, null);
                            }
                        }
    }

    /// <summary>Fails when a dimension's values cannot train at all (checked before a sweep starts).</summary>
    internal void Check(int tasks)
    {
        ArgumentNullException.ThrowIfNull(BaseOptions);
        if (AdmissibleUnits(tasks).Count == 0)
            throw new ArgumentException(NothingAdmissible(tasks));
        int badUnits = Units.Grid(0).FirstOrDefault(u => u < 0, 0);
        if (badUnits < 0)
            throw new ArgumentOutOfRangeException(nameof(NumberOfUnits), $"NumberOfUnits includes {badUnits}; expected 0 (one per task) or more.");
    }

    private DvnSearchDimension<double> Rate => LearningRate ?? DvnSearch.Fixed(BaseOptions.LearningRate);
    private DvnSearchDimension<int> Batch => BatchSize ?? DvnSearch.Fixed(BaseOptions.BatchSize);
    private DvnSearchDimension<int> Epochs => NumberOfEpochs ?? DvnSearch.Fixed(BaseOptions.NumberOfEpochs);
    private DvnSearchDimension<double> Decay => WeightDecay ?? DvnSearch.Fixed(BaseOptions.WeightDecay);
    private DvnSearchDimension<int> Units => NumberOfUnits ?? DvnSearch.Fixed(BaseOptions.NumberOfUnits);
    private DvnSearchDimension<int> Levels => NumberOfLevels ?? DvnSearch.Fixed(BaseOptions.NumberOfLevels);
    private DvnSearchDimension<DvnArchitecture> Backbone => Architecture ?? DvnSearch.Fixed(BaseOptions.Architecture);

    private static int UnitsOf(int option, int tasks) => option == 0 ? tasks : option;

    // Unit options for which some level count and some architecture can train.
    private IReadOnlyList<int> AdmissibleUnits(int tasks) => Units.Grid(0).Where(u =>
    {
        int k = UnitsOf(u, tasks);
        return k >= 1 && Levels.Grid(k).Any(l => l >= 0 && l <= k) && Backbone.Admits(k);
    }).ToArray();

    private string NothingAdmissible(int tasks) =>
        $"No combination of the search space can train on {tasks} tasks: every number of units either has no level count " +
        "within 1..units (or 0) or no architecture whose hidden widths it divides. Widen NumberOfLevels or Architecture.";
}
