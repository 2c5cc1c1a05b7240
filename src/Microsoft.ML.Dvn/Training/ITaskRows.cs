namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Training rows that can be read again and again, one task at a time, without holding them: the streaming side of
/// training (<see cref="StreamedBatches"/>). The ML.NET side implements it over an IDataView's cursors.
/// </summary>
internal interface ITaskRows
{
    /// <summary>Opens a pass over the rows of <paramref name="task"/> (1-based), in the source's order.</summary>
    ITaskRowReader Open(int task);
}

/// <summary>One pass over one task's rows (<see cref="ITaskRows.Open"/>).</summary>
internal interface ITaskRowReader : IDisposable
{
    /// <summary>
    /// Reads the next row: its feature values into <paramref name="features"/> (exactly the input size) and its class
    /// index within the task (0-based) into <paramref name="label"/>. False at the end of the pass.
    /// </summary>
    bool Next(Span<float> features, out long label);
}
