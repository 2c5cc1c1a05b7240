namespace Microsoft.ML.Dvn;

/// <summary>Factories of the dimensions of a <see cref="DvnSearchSpace"/>.</summary>
/// <example>
/// <code>
/// var space = new DvnSearchSpace
/// {
///     LearningRate = DvnSearch.LogUniform(3e-4, 3e-3),
///     BatchSize = DvnSearch.Choice(32, 64, 128),
///     NumberOfEpochs = DvnSearch.Integers(3, 9, step: 3),
///     WeightDecay = DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true),
///     Architecture = DvnSearch.MlpWidths(layers: 2, minimumWidth: 120, maximumWidth: 480),
///     LearningRateSchedule = DvnSearch.Choice(DvnLearningRateSchedule.Constant, DvnLearningRateSchedule.Cosine),
///     DistillationWeight = DvnSearch.Uniform(0, 0.5),
///     LevelWeights = DvnSearch.LevelWeights(0.5, 2),     // one weight a level, as many as the levels drawn
/// };
/// </code>
/// </example>
public static class DvnSearch
{
    /// <summary>Always <paramref name="value"/>: the option is not searched.</summary>
    public static DvnSearchDimension<T> Fixed<T>(T value) => new ChoiceDimension<T>(new[] { value });

    /// <summary>One of <paramref name="values"/>, each as likely; a grid tries them in the order given.</summary>
    public static DvnSearchDimension<T> Choice<T>(params T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
            throw new ArgumentException("A choice needs at least one value.", nameof(values));
        return new ChoiceDimension<T>((T[])values.Clone());
    }

    /// <summary>
    /// A number between <paramref name="minimum"/> and <paramref name="maximum"/> whose logarithm is uniform (the usual
    /// prior of learning rates and weight decays). With <paramref name="includeZero"/>, 0 is drawn a quarter of the
    /// time and is a grid point. A grid tries <paramref name="gridPoints"/> log-spaced values from minimum to maximum.
    /// </summary>
    public static DvnSearchDimension<double> LogUniform(double minimum, double maximum, bool includeZero = false, int gridPoints = 3)
    {
        if (!(minimum > 0) || !double.IsFinite(maximum) || maximum < minimum)
            throw new ArgumentOutOfRangeException(nameof(minimum), $"A log-uniform range needs 0 < minimum <= maximum < infinity; got {minimum} .. {maximum}.");
        CheckGridPoints(gridPoints, minimum, maximum);
        return new LogUniformDimension(minimum, maximum, includeZero, gridPoints);
    }

    /// <summary>
    /// A number uniform between <paramref name="minimum"/> and <paramref name="maximum"/> (a distillation weight, say);
    /// a grid tries <paramref name="gridPoints"/> evenly spaced values from minimum to maximum.
    /// </summary>
    public static DvnSearchDimension<double> Uniform(double minimum, double maximum, int gridPoints = 3)
    {
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || maximum < minimum)
            throw new ArgumentOutOfRangeException(nameof(minimum), $"A uniform range needs finite minimum <= maximum; got {minimum} .. {maximum}.");
        CheckGridPoints(gridPoints, minimum, maximum);
        return new UniformDimension(minimum, maximum, gridPoints);
    }

    /// <summary>
    /// An integer from <paramref name="minimum"/> to <paramref name="maximum"/> in steps of <paramref name="step"/>
    /// (epochs, units, levels, a batch size), each as likely; a grid tries every one, smallest first.
    /// </summary>
    public static DvnSearchDimension<int> Integers(int minimum, int maximum, int step = 1)
    {
        if (maximum < minimum)
            throw new ArgumentOutOfRangeException(nameof(maximum), $"An integer range needs minimum <= maximum; got {minimum} .. {maximum}.");
        if (step < 1)
            throw new ArgumentOutOfRangeException(nameof(step), $"An integer range needs a step of at least 1; got {step}.");
        return new ChoiceDimension<int>(Enumerable.Range(0, (int)(((long)maximum - minimum) / step) + 1).Select(i => minimum + i * step).ToArray());
    }

    /// <summary>
    /// MLP backbones of <paramref name="layers"/> hidden layers, each of a width from <paramref name="minimumWidth"/> to
    /// <paramref name="maximumWidth"/>: any width the network accepts (at least one channel a unit; units need not divide
    /// it, the first units then get a channel more). Random search draws each layer's width; a grid tries equal widths at
    /// <paramref name="gridPoints"/> evenly spaced values.
    /// </summary>
    public static DvnSearchDimension<DvnArchitecture> MlpWidths(int layers, int minimumWidth, int maximumWidth, int gridPoints = 3)
    {
        if (layers < 1)
            throw new ArgumentOutOfRangeException(nameof(layers), $"An MLP needs at least one hidden layer; got {layers}.");
        if (minimumWidth < 1 || maximumWidth < minimumWidth)
            throw new ArgumentOutOfRangeException(nameof(minimumWidth), $"Widths need 1 <= minimum <= maximum; got {minimumWidth} .. {maximumWidth}.");
        if (gridPoints < 1)
            throw new ArgumentOutOfRangeException(nameof(gridPoints), $"A grid needs at least one point; got {gridPoints}.");
        return new MlpWidthsDimension(layers, minimumWidth, maximumWidth, gridPoints);
    }

    /// <summary>
    /// Per-level loss weights (<see cref="DvnEstimator.Options.LevelWeights"/>), one for each of the levels drawn: null
    /// (every level 1, the paper) a quarter of the time, otherwise each level's weight log-uniform between
    /// <paramref name="minimum"/> and <paramref name="maximum"/>. A grid tries null, weights rising from minimum to maximum
    /// (the top level weighs most) and falling (level 1 weighs most), log-spaced.
    /// </summary>
    public static DvnSearchDimension<double[]?> LevelWeights(double minimum = 0.5, double maximum = 2)
    {
        if (!(minimum > 0) || !double.IsFinite(maximum) || maximum < minimum)
            throw new ArgumentOutOfRangeException(nameof(minimum), $"Level weights need 0 < minimum <= maximum < infinity; got {minimum} .. {maximum}.");
        return new LevelWeightsDimension(minimum, maximum);
    }

    /// <summary>
    /// A dimension chosen from the values drawn before it: <paramref name="choose"/> gets them (the units and levels as
    /// the counts they stand for) and returns the dimension to draw from. Dimensions are drawn in the order of
    /// <see cref="DvnSearchSpace"/>'s fields: learning rate, batch size, epochs, weight decay, units, levels,
    /// architecture, distillation weight, learning-rate schedule, batch order, task order, level weights.
    /// </summary>
    /// <example>
    /// <code>
    /// // Larger batches get a larger learning rate.
    /// space.LearningRate = DvnSearch.Dependent(p => DvnSearch.LogUniform(1e-4 * p.BatchSize / 32, 1e-3 * p.BatchSize / 32));
    /// </code>
    /// </example>
    public static DvnSearchDimension<T> Dependent<T>(Func<DvnSweepParameters, DvnSearchDimension<T>> choose)
    {
        ArgumentNullException.ThrowIfNull(choose);
        return new DependentDimension<T>(choose);
    }

    private static void CheckGridPoints(int gridPoints, double minimum, double maximum)
    {
        if (gridPoints < 1 || (gridPoints == 1 && maximum > minimum))
            throw new ArgumentOutOfRangeException(nameof(gridPoints), $"A range needs at least 2 grid points (1 when minimum = maximum); got {gridPoints}.");
    }

    private static double[] Spaced(double from, double to, int points, Func<double, double> map, Func<double, double> unmap) =>
        Enumerable.Range(0, points).Select(i => points == 1 ? from : unmap(map(from) + i * (map(to) - map(from)) / (points - 1))).ToArray();

    private sealed class ChoiceDimension<T>(T[] values) : DvnSearchDimension<T>
    {
        internal override T Sample(Random random, DvnSweepParameters drawn) => values[random.Next(values.Length)];

        internal override IReadOnlyList<T> Grid(DvnSweepParameters drawn) => values;
    }

    private sealed class LogUniformDimension(double minimum, double maximum, bool includeZero, int gridPoints) : DvnSearchDimension<double>
    {
        private const double ZeroShare = 0.25;

        internal override double Sample(Random random, DvnSweepParameters drawn)
        {
            // Both draws are always made, so that whether zero is allowed does not shift the other dimensions' values.
            double zero = random.NextDouble(), position = random.NextDouble();
            return includeZero && zero < ZeroShare ? 0 : Math.Exp(Math.Log(minimum) + position * (Math.Log(maximum) - Math.Log(minimum)));
        }

        internal override IReadOnlyList<double> Grid(DvnSweepParameters drawn)
        {
            var points = Spaced(minimum, maximum, gridPoints, Math.Log, Math.Exp);
            return includeZero ? points.Prepend(0).ToArray() : points;
        }
    }

    private sealed class UniformDimension(double minimum, double maximum, int gridPoints) : DvnSearchDimension<double>
    {
        internal override double Sample(Random random, DvnSweepParameters drawn) => minimum + random.NextDouble() * (maximum - minimum);

        internal override IReadOnlyList<double> Grid(DvnSweepParameters drawn) => Spaced(minimum, maximum, gridPoints, x => x, x => x);
    }

    private sealed class MlpWidthsDimension(int layers, int minimumWidth, int maximumWidth, int gridPoints) : DvnSearchDimension<DvnArchitecture>
    {
        internal override DvnArchitecture Sample(Random random, DvnSweepParameters drawn) =>
            DvnArchitecture.Mlp(Enumerable.Range(0, layers).Select(_ => random.Next(minimumWidth, maximumWidth + 1)).ToArray());

        internal override IReadOnlyList<DvnArchitecture> Grid(DvnSweepParameters drawn)
        {
            int points = Math.Min(gridPoints, maximumWidth - minimumWidth + 1);
            return Enumerable.Range(0, points)
                .Select(i => points == 1 ? minimumWidth : minimumWidth + (int)Math.Round(i * (maximumWidth - minimumWidth) / (double)(points - 1)))
                .Distinct().Select(Equal).ToArray();
        }

        internal override IReadOnlyList<DvnArchitecture> Bounds(DvnSweepParameters drawn) => new[] { Equal(minimumWidth), Equal(maximumWidth) };

        private DvnArchitecture Equal(int width) => DvnArchitecture.Mlp(Enumerable.Repeat(width, layers).ToArray());
    }

    private sealed class LevelWeightsDimension(double minimum, double maximum) : DvnSearchDimension<double[]?>
    {
        private const double EqualShare = 0.25;

        internal override double[]? Sample(Random random, DvnSweepParameters drawn)
        {
            double equal = random.NextDouble();
            var weights = Enumerable.Range(0, Math.Max(1, drawn.NumberOfLevels))
                .Select(_ => Math.Exp(Math.Log(minimum) + random.NextDouble() * (Math.Log(maximum) - Math.Log(minimum)))).ToArray();
            return equal < EqualShare ? null : weights;
        }

        internal override IReadOnlyList<double[]?> Grid(DvnSweepParameters drawn)
        {
            var rising = Spaced(minimum, maximum, Math.Max(1, drawn.NumberOfLevels), Math.Log, Math.Exp);
            return minimum == maximum ? new[] { null, rising } : new[] { null, rising, Enumerable.Reverse(rising).ToArray() };
        }
    }

    private sealed class DependentDimension<T>(Func<DvnSweepParameters, DvnSearchDimension<T>> choose) : DvnSearchDimension<T>
    {
        internal override T Sample(Random random, DvnSweepParameters drawn) => Chosen(drawn).Sample(random, drawn);

        internal override IReadOnlyList<T> Grid(DvnSweepParameters drawn) => Chosen(drawn).Grid(drawn);

        internal override IReadOnlyList<T> Bounds(DvnSweepParameters drawn) => Chosen(drawn).Bounds(drawn);

        internal override bool IsDependent => true;

        private DvnSearchDimension<T> Chosen(DvnSweepParameters drawn) =>
            choose(drawn) ?? throw new InvalidOperationException("A dependent search dimension's function returned null instead of a dimension.");
    }
}
