namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>The lazily transformed data: every cursor runs the network batch by batch as it goes.</summary>
internal sealed class DvnDataView : IDataView
{
    private readonly BoundSchema _bound;
    private readonly IDataView _input;

    public DvnDataView(BoundSchema bound, IDataView input)
    {
        _bound = bound;
        _input = input;
    }

    public DataViewSchema Schema => _bound.Output;

    /// <summary>False: the two input cursors of a batch cursor must see the rows in the same order.</summary>
    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new DvnBatchCursor(_bound, _input, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };
}
