using System.Globalization;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// The rules of the training options, written once: <c>DvnEstimator.Options</c> checks them before <c>Fit</c> (and a
/// sweep, through it, before a trial), the training loop checks its settings against them, and the model reader checks
/// a file's training section against them. Each caller words the error its own way (an option, a settings field, a
/// file field) but every message names the option, the value and what is expected.
/// </summary>
/// <remarks>Rules that need the data (one level weight a level, a task order of every task) take the count as an argument.</remarks>
internal static class TrainingRules
{
    public static readonly TrainingRule<int> NumberOfEpochs = new(nameof(NumberOfEpochs), v => v >= 1, "at least 1");

    public static readonly TrainingRule<int> BatchSize = new(nameof(BatchSize), v => v >= 2, "at least 2 (batch normalization)");

    public static readonly TrainingRule<double> LearningRate = new(nameof(LearningRate), v => v > 0 && double.IsFinite(v), "a positive number");

    public static readonly TrainingRule<double> WeightDecay = new(nameof(WeightDecay), v => v >= 0 && double.IsFinite(v), "zero or a positive number");

    /// <summary>One level's weight (a model file names the one that is wrong).</summary>
    public static readonly TrainingRule<double> LevelWeight = new(nameof(LevelWeights), w => w >= 0 && double.IsFinite(w), "zero or a positive number");

    /// <summary>The level weights together: every one <see cref="LevelWeight"/>, not all zero.</summary>
    public static readonly TrainingRule<IReadOnlyList<double>> LevelWeights = new(nameof(LevelWeights),
        w => w.All(LevelWeight.Holds) && w.Any(x => x > 0), "one finite weight a level, each zero or positive, not all zero");

    public static readonly TrainingRule<double> DistillationWeight = new(nameof(DistillationWeight), v => v is >= 0 and <= 1, "a number within [0, 1]");

    public static readonly TrainingRule<DvnLearningRateSchedule> LearningRateSchedule = Defined<DvnLearningRateSchedule>(nameof(LearningRateSchedule));

    public static readonly TrainingRule<DvnBatchOrder> BatchOrder = Defined<DvnBatchOrder>(nameof(BatchOrder));

    public static readonly TrainingRule<DvnTaskOrder> TaskOrder = Defined<DvnTaskOrder>(nameof(TaskOrder));

    /// <summary>
    /// The first rule <paramref name="settings"/> breaks, as "Option is value; expected ...", or null. Level weights of
    /// the wrong count are not checked here: <see cref="LevelWeightCount"/> needs the network's levels.
    /// </summary>
    public static string? FirstBroken(DvnTrainingSettings settings) =>
        NumberOfEpochs.Broken(settings.NumberOfEpochs)
        ?? BatchSize.Broken(settings.BatchSize)
        ?? LearningRate.Broken(settings.LearningRate)
        ?? WeightDecay.Broken(settings.WeightDecay)
        ?? (settings.LevelWeights is { } weights ? LevelWeights.Broken(weights) : null)
        ?? DistillationWeight.Broken(settings.DistillationWeight)
        ?? LearningRateSchedule.Broken(settings.LearningRateSchedule)
        ?? BatchOrder.Broken(settings.BatchOrder);

    /// <summary>"LevelWeights has 2 values (1, 2); the network has 3 levels, one weight each." when the count is wrong, else null.</summary>
    public static string? LevelWeightCount(IReadOnlyList<double>? weights, int levels) =>
        weights is null || weights.Count == levels ? null
            : $"{nameof(LevelWeights)} has {weights.Count} values ({Format(weights)}); the network has {levels} levels, one weight each.";

    /// <summary>An enumeration's rule: one of its named values ("Constant (0) or Cosine (1)": a model file holds the number).</summary>
    private static TrainingRule<T> Defined<T>(string option) where T : struct, Enum =>
        new(option, v => Enum.IsDefined(v),
            string.Join(" or ", Enum.GetValues<T>().Select(v => $"{v} ({Convert.ToInt32(v, CultureInfo.InvariantCulture)})")));

    /// <summary>A value as the messages show it: numbers invariant, lists comma-separated, enumerations by number when undefined.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string text => text,
        IEnumerable<double> list => string.Join(", ", list.Select(v => Format(v))),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>One rule of an option: its name (as <c>DvnEstimator.Options</c> names it), what holds, and what is expected.</summary>
internal sealed record TrainingRule<T>(string Option, Func<T, bool> Holds, string Expected)
{
    /// <summary>The option's field in a model file's training section (the option's name, camel-cased).</summary>
    public string Field => char.ToLowerInvariant(Option[0]) + Option[1..];

    /// <summary>"Option is value; expected ...", or null when <paramref name="value"/> keeps the rule.</summary>
    public string? Broken(T value) => Holds(value) ? null : $"{Option} is {TrainingRules.Format(value)}; expected {Expected}.";
}
