using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// A cursor over the transformed data that predicts in batches: a look-ahead cursor on the input reads the next
/// batch of features, tasks and budgets, the network runs once per (task, level) group of the batch, and the rows
/// are then served one by one, while a second input cursor in step with this one serves the passed-through columns.
/// </summary>
internal sealed class DvnBatchCursor : DataViewRowCursor
{
    private readonly BoundSchema _bound;
    private readonly DataViewRowCursor _rows;
    private readonly DataViewRowCursor? _ahead;
    private readonly bool[] _active;
    private readonly PredictionBatch? _batch;
    private readonly PredictionInputReader? _reader;
    private int _index = -1;
    private long _aheadPosition = -1;

    public DvnBatchCursor(BoundSchema bound, IDataView input, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        _bound = bound;
        var needed = columnsNeeded.ToArray();
        _active = bound.ActiveOutputs(needed);
        _rows = input.GetRowCursor(bound.PassedThrough(needed));
        if (_active.Any(a => a))
        {
            _ahead = input.GetRowCursor(bound.PredictionInputs);
            _batch = new PredictionBatch(bound.Model, bound.Model.Prediction.BatchSize);
            _reader = new PredictionInputReader(bound, _ahead);
        }
    }

    public override DataViewSchema Schema => _bound.Output;

    public override long Position => _rows.Position;

    public override long Batch => _rows.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        int output = _bound.OutputOf(column.Index);
        return output < 0 ? _rows.IsColumnActive(_bound.Input[column.Index]) : _active[output];
    }

    public override bool MoveNext()
    {
        if (!_rows.MoveNext())
            return false;
        if (_batch is not null && ++_index >= _batch.Count)
        {
            Fill();
            _index = 0;
        }
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int output = _bound.OutputOf(column.Index);
        if (output < 0)
            return _rows.GetGetter<TValue>(_bound.Input[column.Index]);
        if (!_active[output])
            throw new InvalidOperationException($"Column '{column.Name}' was not requested as active.");
        return OutputGetters.Create<TValue>(output, column.Name, () => _batch!, () => _index);
    }

    private void Fill()
    {
        _batch!.Clear();
        while (_batch.Count < _batch.Capacity && _ahead!.MoveNext())
            _reader!.AddTo(_batch, ++_aheadPosition);
        if (_batch.Count == 0)
            throw new InvalidOperationException("The input data gave a different number of rows to two cursors; a DVN needs a deterministic input.");
        _batch.Run();
    }

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
