namespace Microsoft.ML.Dvn.Network;

/// <summary>A contiguous slice of a layer's channels or features: the first (0-based) and how many.</summary>
internal readonly record struct ChannelSlice(int Start, int Length)
{
    /// <summary>The same slice after each channel is flattened into <paramref name="area"/> consecutive features.</summary>
    public ChannelSlice Flattened(int area) => new(Start * area, Length * area);
}
