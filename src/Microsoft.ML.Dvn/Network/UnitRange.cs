namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// A contiguous range of units, 1-based and inclusive. Every unit set that the allocation rule produces is
/// contiguous, so the active channels of every layer are one contiguous slice of its weight tensor.
/// </summary>
internal readonly record struct UnitRange
{
    public UnitRange(int first, int last)
    {
        if (first < 1 || last < first)
            throw new ArgumentOutOfRangeException(nameof(first), $"A unit range needs 1 <= first <= last; got {first}..{last}.");
        First = first;
        Last = last;
    }

    public int First { get; }

    public int Last { get; }

    public int Count => Last - First + 1;

    /// <summary>The 1-based unit indices, in order.</summary>
    public int[] ToArray() => Enumerable.Range(First, Count).ToArray();

    public override string ToString() => First == Last ? $"{{{First}}}" : $"{{{First}..{Last}}}";
}
