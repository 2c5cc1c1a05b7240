namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Shuffles a stream of rows in bounded memory: it holds up to <see cref="Capacity"/> rows read ahead and hands out a
/// random one of them, whose place the next row read takes. Every row read comes out exactly once; a row can come out
/// at most <see cref="Capacity"/> - 1 places before where it was read, and the order is fixed by the random source's
/// seed. A capacity at least the stream's length shuffles it completely.
/// </summary>
internal sealed class ShuffleBuffer : IDisposable
{
    private readonly ITaskRowReader _reader;
    private readonly Random _random;
    private readonly int _width;
    private readonly Memory<float> _features;
    private readonly Memory<long> _labels;
    private int _count;
    private bool _ended;

    /// <param name="reader">The rows; disposed with the buffer.</param>
    /// <param name="labels">Where the rows' labels are held: its length is the capacity, at least 1.</param>
    /// <param name="features">Where the rows' features are held: capacity times <paramref name="width"/> values. The
    /// caller's memory, so that a pass after pass reuses it instead of leaving large arrays to the collector.</param>
    /// <param name="width">Feature values a row.</param>
    /// <param name="random">Picks the row handed out.</param>
    public ShuffleBuffer(ITaskRowReader reader, Memory<long> labels, Memory<float> features, int width, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labels.Length, 1);
        if (features.Length != (long)labels.Length * width)
            throw new ArgumentException($"{features.Length} feature values for {labels.Length} rows of {width}.", nameof(features));
        _reader = reader;
        _random = random;
        _width = width;
        _features = features;
        _labels = labels;
    }

    public int Capacity => _labels.Length;

    /// <summary>Hands out the next row into <paramref name="features"/> and <paramref name="label"/>; false when every row is out.</summary>
    public bool Next(Span<float> features, out long label)
    {
        while (_count < Capacity && Read(_count))
            _count++;
        if (_count == 0)
        {
            label = -1;
            return false;
        }
        int slot = _random.Next(_count);
        var labels = _labels.Span;
        Slot(slot).CopyTo(features);
        label = labels[slot];
        if (!Read(slot))
        {
            _count--;
            Slot(_count).CopyTo(Slot(slot));
            labels[slot] = labels[_count];
        }
        return true;
    }

    public void Dispose() => _reader.Dispose();

    private Span<float> Slot(int slot) => _features.Span.Slice(slot * _width, _width);

    private bool Read(int slot)
    {
        if (_ended)
            return false;
        _ended = !_reader.Next(Slot(slot), out _labels.Span[slot]);
        return !_ended;
    }
}
