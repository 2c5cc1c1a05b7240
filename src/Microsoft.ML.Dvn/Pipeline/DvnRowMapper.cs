using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>Row-to-row mapping (PredictionEngine and transformer chains): one input row in, the same row with the DVN's columns out.</summary>
internal sealed class DvnRowMapper : IRowToRowMapper
{
    private readonly BoundSchema _bound;

    public DvnRowMapper(BoundSchema bound) => _bound = bound;

    public DataViewSchema InputSchema => _bound.Input;

    public DataViewSchema OutputSchema => _bound.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var columns = dependingColumns.ToArray();
        var needed = _bound.PassedThrough(columns);
        if (_bound.NeedsPrediction(columns))
            needed = needed.Concat(_bound.PredictionInputs);
        return needed.DistinctBy(c => c.Index).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new DvnMappedRow(_bound, input, activeColumns);
}
