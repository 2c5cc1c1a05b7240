namespace Microsoft.ML.Dvn;

/// <summary>
/// One dimension of a <see cref="DvnSearchSpace"/>: the values an option may take. Create it with the factories of
/// <see cref="DvnSearch"/> (<c>Fixed</c>, <c>Choice</c>, <c>LogUniform</c>, <c>MlpWidths</c>).
/// </summary>
/// <typeparam name="T">The option's type.</typeparam>
public abstract class DvnSearchDimension<T>
{
    private protected DvnSearchDimension()
    {
    }

    /// <summary>A random value of the dimension that suits <paramref name="units"/> units (for architectures; ignored elsewhere).</summary>
    internal abstract T Sample(Random random, int units);

    /// <summary>The values a grid search tries, in order, that suit <paramref name="units"/> units.</summary>
    internal abstract IReadOnlyList<T> Grid(int units);

    /// <summary>Whether the dimension has at least one value for <paramref name="units"/> units.</summary>
    internal bool Admits(int units) => Grid(units).Count > 0;
}
