using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// Streamed rows made up on the fly: row i of task t has features [i, t, 0, ...] and label i mod 2. Counts the rows
/// its readers have handed out and the readers open, so tests see what a streamed pass holds.
/// </summary>
internal sealed class CountingTaskRows(params long[] rowsPerTask) : ITaskRows
{
    public const int Width = 4;

    private readonly long[] _rowsPerTask = rowsPerTask;

    public long RowsRead { get; private set; }

    public int OpenReaders { get; private set; }

    public ITaskRowReader Open(int task)
    {
        OpenReaders++;
        return new Reader(this, task);
    }

    private sealed class Reader(CountingTaskRows rows, int task) : ITaskRowReader
    {
        private long _next;

        public bool Next(Span<float> features, out long label)
        {
            label = -1;
            if (_next == rows._rowsPerTask[task - 1])
                return false;
            features.Clear();
            features[0] = _next;
            features[1] = task;
            label = _next % 2;
            _next++;
            rows.RowsRead++;
            return true;
        }

        public void Dispose() => rows.OpenReaders--;
    }
}
