namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// Cuts one hidden layer's width into K disjoint, contiguous channel groups: unit u owns group u.
/// When K does not divide the width, the first (width mod K) units get one channel more.
/// </summary>
internal sealed class UnitLayout
{
    private readonly int[] _offsets;

    public UnitLayout(int width, int numberOfUnits)
    {
        if (numberOfUnits < 1)
            throw new ArgumentOutOfRangeException(nameof(numberOfUnits), $"The number of units must be at least 1; got {numberOfUnits}.");
        if (width < numberOfUnits)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"A layer of width {width} cannot be cut into {numberOfUnits} units: every unit needs at least one channel.");
        Width = width;
        NumberOfUnits = numberOfUnits;
        _offsets = new int[numberOfUnits + 1];
        int size = width / numberOfUnits, extra = width % numberOfUnits;
        for (int u = 0; u < numberOfUnits; u++)
            _offsets[u + 1] = _offsets[u] + size + (u < extra ? 1 : 0);
    }

    public int Width { get; }

    public int NumberOfUnits { get; }

    /// <summary>The number of channels unit <paramref name="unit"/> (1-based) owns.</summary>
    public int Size(int unit) => _offsets[unit] - _offsets[unit - 1];

    /// <summary>The contiguous channel slice that a unit range owns: its first channel (0-based) and its length.</summary>
    public ChannelSlice Slice(UnitRange units)
    {
        if (units.Last > NumberOfUnits)
            throw new ArgumentOutOfRangeException(nameof(units), $"Unit range {units} exceeds the {NumberOfUnits} units of this layer.");
        return new ChannelSlice(_offsets[units.First - 1], _offsets[units.Last] - _offsets[units.First - 1]);
    }
}
