using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// A cursor over the transformed data that predicts in batches: a look-ahead cursor on the input reads the next
/// batch of features, tasks and budgets, the network runs once per (task, level) group of the batch, and the rows
/// are then served one by one, while a second input cursor in step with this one serves the passed-through columns.
/// </summary>
/// <remarks>
/// The two input cursors must see the same rows in the same order, or a row's passed-through columns would be paired
/// with another row's prediction. ML.NET's contract for <see cref="DataViewRow.GetIdGetter"/> is that a row has the
/// same id in every cursor of a view, so the cursors' ids are compared on every row, and the cursor that serves the
/// rows must end exactly where the look-ahead cursor ends: an input that does not repeat (a view over a queue, a
/// stream, a database reader) fails with the row where the two differ, never silently. Reading the input once instead
/// would need a deep copy of every passed-through value, which ML.NET's value types (<c>ReadOnlyMemory&lt;char&gt;</c>,
/// any class-typed column) do not offer.
/// </remarks>
internal sealed class DvnBatchCursor : DataViewRowCursor
{
    private readonly BoundSchema _bound;
    private readonly DataViewRowCursor _rows;
    private readonly DataViewRowCursor? _ahead;
    private readonly bool[] _active;
    private readonly PredictionBatch? _batch;
    private readonly PredictionInputReader? _reader;
    private readonly ValueGetter<DataViewRowId> _rowId;
    private readonly ValueGetter<DataViewRowId>? _aheadId;
    private readonly DataViewRowId[] _batchIds = Array.Empty<DataViewRowId>();
    private int _index = -1;
    private long _aheadPosition = -1;

    public DvnBatchCursor(BoundSchema bound, IDataView input, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        _bound = bound;
        var needed = columnsNeeded.ToArray();
        _active = bound.ActiveOutputs(needed);
        _rows = input.GetRowCursor(bound.PassedThrough(needed));
        _rowId = _rows.GetIdGetter();
        if (_active.Any(a => a))
        {
            _ahead = input.GetRowCursor(bound.PredictionInputs);
            _aheadId = _ahead.GetIdGetter();
            _batch = new PredictionBatch(bound.Model, bound.Model.Prediction.BatchSize);
            _batchIds = new DataViewRowId[_batch.Capacity];
            _reader = new PredictionInputReader(bound, _ahead);
        }
    }

    public override DataViewSchema Schema => _bound.Output;

    public override long Position => _rows.Position;

    public override long Batch => _rows.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _bound.IsActive(column, _rows, _active);

    public override bool MoveNext()
    {
        if (!_rows.MoveNext())
        {
            if (_batch is not null)
                RequireSameEnd();
            return false;
        }
        if (_batch is not null)
        {
            if (++_index >= _batch.Count)
            {
                Fill();
                _index = 0;
            }
            RequireSameRow();
        }
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        _bound.Getter<TValue>(column, _rows, _active, () => _batch!, () => _index);

    private void Fill()
    {
        _batch!.Clear();
        while (_batch.Count < _batch.Capacity && _ahead!.MoveNext())
        {
            _aheadId!(ref _batchIds[_batch.Count]);
            _reader!.AddTo(_batch, ++_aheadPosition);
        }
        if (_batch.Count == 0)
            throw NotRepeatable($"the cursor that reads the features ended after {_aheadPosition + 1} rows, but the other one has row {_rows.Position}");
        _batch.Run();
    }

    private void RequireSameRow()
    {
        DataViewRowId id = default;
        _rowId(ref id);
        if (!id.Equals(_batchIds[_index]))
            throw NotRepeatable($"at row {_rows.Position} one cursor read the row of id {id} and the other, which reads the features, the row of id {_batchIds[_index]}");
    }

    // The rows cursor ended: the look-ahead cursor must have no row beyond it, neither in its batch nor in the input.
    private void RequireSameEnd()
    {
        long rows = _aheadPosition - (_batch!.Count - 1 - _index) + 1;
        if (_index + 1 < _batch.Count || _ahead!.MoveNext())
            throw NotRepeatable($"the cursor that reads the passed-through columns ended after {rows} rows, but the one that reads the features has more");
    }

    private static InvalidOperationException NotRepeatable(string what) => new(
        "The input data gave two cursors different rows: " + what + ". A DVN reads its input with two cursors (the " +
        "passed-through columns and the features of a batch ahead) and needs an input that gives every cursor the same " +
        "rows, in the same order, with the same row ids; cache a non-repeatable input first (mlContext.Data.Cache, or " +
        "LoadFromEnumerable over a list).");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rows.Dispose();
            _ahead?.Dispose();
        }
        base.Dispose(disposing);
    }
}
