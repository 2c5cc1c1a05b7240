using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// The training rows of an IDataView for streamed training: every <see cref="Open"/> starts a new cursor over the
/// features, task and label columns that hands out one task's rows and skips the others' (their features unread).
/// Checks every row read as the cached mode does: task key, label, feature length, finite values.
/// </summary>
internal sealed class CursorTaskRows(IDataView data, DataViewSchema.Column features, DataViewSchema.Column? task,
    DataViewSchema.Column label, IReadOnlyList<IReadOnlyDictionary<ulong, long>> classOfKey) : ITaskRows
{
    private readonly IDataView _data = data;
    private readonly DataViewSchema.Column _featureColumn = features, _labelColumn = label;
    private readonly DataViewSchema.Column? _taskColumn = task;
    private readonly IReadOnlyList<IReadOnlyDictionary<ulong, long>> _classOfKey = classOfKey;

    public ITaskRowReader Open(int task) => new Reader(this, task);

    private sealed class Reader : ITaskRowReader
    {
        private readonly CursorTaskRows _rows;
        private readonly int _task;
        private readonly DataViewRowCursor _cursor;
        private readonly TaskLabelKeys _keys;
        private readonly Action<Span<float>, long> _features;
        private long _position = -1;

        public Reader(CursorTaskRows rows, int task)
        {
            _rows = rows;
            _task = task;
            _cursor = rows._data.GetRowCursor(new[] { rows._featureColumn, rows._taskColumn, rows._labelColumn }.OfType<DataViewSchema.Column>());
            _keys = new TaskLabelKeys(_cursor, rows._taskColumn, rows._labelColumn, rows._classOfKey.Count);
            _features = ColumnReaders.Features(_cursor, rows._featureColumn);
        }

        public bool Next(Span<float> features, out long label)
        {
            while (_cursor.MoveNext())
            {
                _position++;
                if (_keys.Task(_position) != _task)
                    continue;
                ulong key = _keys.Label(_position);
                if (!_rows._classOfKey[_task - 1].TryGetValue(key, out label))
                    throw new InvalidOperationException(
                        $"Column '{_rows._labelColumn.Name}', row {_position}: label key {key}, which task {_task} did not have when " +
                        "training began: the training data changed during training. Streamed training reads the data again every epoch; it must not change.");
                _features(features, _position);
                ColumnReaders.CheckFinite(features, _rows._featureColumn.Name, _position);
                return true;
            }
            label = -1;
            return false;
        }

        public void Dispose() => _cursor.Dispose();
    }
}
