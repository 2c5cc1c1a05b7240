using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>Reads a row's features, task and budget (NaN without a budget column) into a prediction batch.</summary>
internal sealed class PredictionInputReader
{
    private readonly Action<Span<float>, long> _features;
    private readonly Func<ulong> _task;
    private readonly Func<double>? _budget;

    public PredictionInputReader(BoundSchema bound, DataViewRow row)
    {
        _features = ColumnReaders.Features(row, bound.Features);
        _task = ColumnReaders.Task(row, bound.Task);
        _budget = bound.Budget is DataViewSchema.Column budget ? ColumnReaders.Number(row, budget) : null;
    }

    /// <summary>Adds the row the underlying cursor is on; <paramref name="position"/> names it in error messages.</summary>
    public void AddTo(PredictionBatch batch, long position) =>
        batch.Add(_features, _task(), _budget?.Invoke() ?? double.NaN, position);
}
