using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// One input row with the DVN's columns added, computed for that row alone when first read (PredictionEngine's path:
/// no batching overhead). Passed-through columns come straight from the input row.
/// </summary>
internal sealed class DvnMappedRow : DataViewRow
{
    private readonly BoundSchema _bound;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly PredictionBatch? _batch;
    private readonly PredictionInputReader? _reader;
    private long _predictedPosition = -1;

    public DvnMappedRow(BoundSchema bound, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        _bound = bound;
        _input = input;
        _active = bound.ActiveOutputs(activeColumns);
        if (_active.Any(a => a))
        {
            _batch = new PredictionBatch(bound.Model, capacity: 1);
            _reader = new PredictionInputReader(bound, input);
        }
    }

    public override DataViewSchema Schema => _bound.Output;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _bound.IsActive(column, _input, _active);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
        _bound.Getter<TValue>(column, _input, _active, Predicted, () => 0);

    private PredictionBatch Predicted()
    {
        if (_predictedPosition != _input.Position)
        {
            _batch!.Clear();
            _reader!.AddTo(_batch, _input.Position);
            _batch.Run();
            _predictedPosition = _input.Position;
        }
        return _batch!;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _input.Dispose();
        base.Dispose(disposing);
    }
}
