namespace Microsoft.ML.Dvn;

/// <summary>
/// One dimension of a <see cref="DvnSearchSpace"/>: the values an option may take. Create it with the factories of
/// <see cref="DvnSearch"/> (<c>Fixed</c>, <c>Choice</c>, <c>LogUniform</c>, <c>Uniform</c>, <c>Integers</c>,
/// <c>MlpWidths</c>, <c>LevelWeights</c>, <c>Dependent</c>).
/// </summary>
/// <typeparam name="T">The option's type.</typeparam>
public abstract class DvnSearchDimension<T>
{
    private protected DvnSearchDimension()
    {
    }

    /// <summary>
    /// A random value. <paramref name="drawn"/>: the values of the dimensions drawn before this one (the others at the
    /// base options' values), with the units and levels as the counts they stand for; only dependent dimensions read it.
    /// </summary>
    internal abstract T Sample(Random random, DvnSweepParameters drawn);

    /// <summary>The values a grid search tries, in order, given the values before this dimension (see <see cref="Sample"/>).</summary>
    internal abstract IReadOnlyList<T> Grid(DvnSweepParameters drawn);

    /// <summary>Values that include the dimension's smallest and largest (for the sizes a search space can reach).</summary>
    internal virtual IReadOnlyList<T> Bounds(DvnSweepParameters drawn) => Grid(drawn);

    /// <summary>Whether the values depend on other dimensions.</summary>
    internal virtual bool IsDependent => false;
}
