namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Passes on the rows of one task's <see cref="ITaskRowReader"/> and adds up their <see cref="RowChecksum"/>, so that
/// streamed training can tell whether a pass read the same rows as the first (<see cref="StreamedBatches"/>).
/// </summary>
internal sealed class ChecksummingReader(ITaskRowReader reader, int task) : ITaskRowReader
{
    /// <summary>The sum of the hashes of the rows read so far (<see cref="RowChecksum"/>).</summary>
    public ulong Checksum { get; private set; }

    public bool Next(Span<float> features, out long label)
    {
        if (!reader.Next(features, out label))
            return false;
        Checksum = unchecked(Checksum + RowChecksum.Of(task, label, features));
        return true;
    }

    public void Dispose() => reader.Dispose();
}
