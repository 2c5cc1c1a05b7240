using Microsoft.ML.Dvn.Latency;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>The budgets one row gives, one a unit (each may be missing), and the latencies a latency budget is compared with.</summary>
internal readonly struct RowBudget
{
    public RowBudget(BudgetValue parameters, BudgetValue bytes, BudgetValue microseconds, LevelLatencies? latencies)
    {
        Parameters = parameters;
        Bytes = bytes;
        Microseconds = microseconds;
        Latencies = latencies;
    }

    /// <summary>No budget in any unit: the highest level.</summary>
    public static RowBudget None => new(BudgetValue.Missing, BudgetValue.Missing, BudgetValue.Missing, null);

    public BudgetValue Parameters { get; }

    public BudgetValue Bytes { get; }

    public BudgetValue Microseconds { get; }

    /// <summary>The bound latency table; null when none was attached.</summary>
    public LevelLatencies? Latencies { get; }
}
