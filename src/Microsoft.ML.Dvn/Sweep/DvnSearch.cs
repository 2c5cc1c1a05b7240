namespace Microsoft.ML.Dvn;

/// <summary>Factories of the dimensions of a <see cref="DvnSearchSpace"/>.</summary>
/// <example>
/// <code>
/// var space = new DvnSearchSpace
/// {
///     LearningRate = DvnSearch.LogUniform(3e-4, 3e-3),
///     BatchSize = DvnSearch.Choice(32, 64, 128),
///     WeightDecay = DvnSearch.LogUniform(1e-6, 1e-3, includeZero: true),
///     Architecture = DvnSearch.MlpWidths(layers: 2, minimumWidth: 120, maximumWidth: 480),
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
        if (gridPoints < 1 || (gridPoints == 1 && maximum > minimum))
            throw new ArgumentOutOfRangeException(nameof(gridPoints), $"A range needs at least 2 grid points (1 when minimum = maximum); got {gridPoints}.");
        return new LogUniformDimension(minimum, maximum, includeZero, gridPoints);
    }

    /// <summary>
    /// MLP backbones of <paramref name="layers"/> hidden layers whose widths are multiples of the number of units
    /// between <paramref name="minimumWidth"/> and <paramref name="maximumWidth"/> (every unit gets the same share of
    /// every layer). Random search draws each layer's width; a grid tries equal widths at <paramref name="gridPoints"/>
    /// evenly spaced multiples.
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

    private sealed class ChoiceDimension<T>(T[] values) : DvnSearchDimension<T>
    {
        internal override T Sample(Random random, int units) => Admitted(units)[random.Next(Admitted(units).Count)];

        internal override IReadOnlyList<T> Grid(int units) => Admitted(units);

        // Architectures must give every unit at least one channel in every layer, and the same share of it.
        private IReadOnlyList<T> Admitted(int units) =>
            values.Where(v => v is not DvnArchitecture architecture || SplitsEvenly(architecture, units)).ToArray();
    }

    private sealed class LogUniformDimension(double minimum, double maximum, bool includeZero, int gridPoints) : DvnSearchDimension<double>
    {
        private const double ZeroShare = 0.25;

        internal override double Sample(Random random, int units)
        {
            // Both draws are always made, so that whether zero is allowed does not shift the other dimensions' values.
            double zero = random.NextDouble(), position = random.NextDouble();
            return includeZero && zero < ZeroShare ? 0 : Math.Exp(Math.Log(minimum) + position * (Math.Log(maximum) - Math.Log(minimum)));
        }

        internal override IReadOnlyList<double> Grid(int units)
        {
            var points = Enumerable.Range(0, gridPoints).Select(i => gridPoints == 1
                ? minimum
                : Math.Exp(Math.Log(minimum) + i * (Math.Log(maximum) - Math.Log(minimum)) / (gridPoints - 1)));
            return (includeZero ? points.Prepend(0) : points).ToArray();
        }
    }

    private sealed class MlpWidthsDimension(int layers, int minimumWidth, int maximumWidth, int gridPoints) : DvnSearchDimension<DvnArchitecture>
    {
        internal override DvnArchitecture Sample(Random random, int units)
        {
            var widths = Widths(units);
            return DvnArchitecture.Mlp(Enumerable.Range(0, layers).Select(_ => widths[random.Next(widths.Length)]).ToArray());
        }

        internal override IReadOnlyList<DvnArchitecture> Grid(int units)
        {
            var widths = Widths(units);
            if (widths.Length == 0)
                return Array.Empty<DvnArchitecture>();
            int points = Math.Min(gridPoints, widths.Length);
            return Enumerable.Range(0, points)
                .Select(i => widths[points == 1 ? 0 : (int)Math.Round(i * (widths.Length - 1) / (double)(points - 1))])
                .Distinct().Select(w => DvnArchitecture.Mlp(Enumerable.Repeat(w, layers).ToArray())).ToArray();
        }

        private int[] Widths(int units)
        {
            int first = (minimumWidth + units - 1) / units * units;
            return first > maximumWidth ? Array.Empty<int>() : Enumerable.Range(0, (maximumWidth - first) / units + 1).Select(i => first + i * units).ToArray();
        }
    }

    private static bool SplitsEvenly(DvnArchitecture architecture, int units) =>
        architecture.ConvolutionChannels.Concat(architecture.HiddenLayerSizes).All(width => width >= units && width % units == 0);
}
