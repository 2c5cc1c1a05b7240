using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>Reads a row's features, task and budgets (missing without their columns) into a prediction batch.</summary>
internal sealed class PredictionInputReader
{
    private static readonly Func<BudgetValue> NoBudget = () => BudgetValue.Missing;

    private readonly Action<Span<float>, long> _features;
    private readonly Func<ulong> _task;
    private readonly Func<BudgetValue> _parameters, _bytes, _microseconds;
    private readonly BoundSchema _bound;

    public PredictionInputReader(BoundSchema bound, DataViewRow row)
    {
        _bound = bound;
        _features = ColumnReaders.Features(row, bound.Features);
        _task = ColumnReaders.Task(row, bound.Task);
        Func<BudgetValue> Budget(DvnBudgetUnit unit) =>
            bound.Budgets.Where(b => b.Unit == unit).Select(b => ColumnReaders.Budget(row, b.Column)).FirstOrDefault() ?? NoBudget;
        _parameters = Budget(DvnBudgetUnit.Parameters);
        _bytes = Budget(DvnBudgetUnit.Bytes);
        _microseconds = Budget(DvnBudgetUnit.Microseconds);
    }

    /// <summary>Adds the row the underlying cursor is on; <paramref name="position"/> names it in error messages.</summary>
    public void AddTo(PredictionBatch batch, long position) =>
        batch.Add(_features, _task(), new RowBudget(_parameters(), _bytes(), _microseconds(), _bound.Latencies), position);
}
