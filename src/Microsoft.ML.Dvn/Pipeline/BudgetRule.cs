using System.Globalization;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// Which level a row runs at: the highest level of its task that fits every budget the row gives (parameters, bytes,
/// microseconds). No budget (NaN, or no budget column) means the highest level; a budget below every level is an error
/// naming the task, the budget, its unit and the smallest level.
/// </summary>
internal static class BudgetRule
{
    /// <returns>The network level, 1-based.</returns>
    public static int Level(DvnModel model, int networkTask, in RowBudget budget, long row)
    {
        var levels = model.Task(networkTask).Levels;
        int level = levels.Length;
        if (!budget.Parameters.IsMissing)
            level = Math.Min(level, Highest(levels, budget.Parameters, l => l.ParameterCount)
                ?? throw BelowSmallest(model, networkTask, row, model.Columns.MemoryBudget, budget.Parameters, "parameters", levels[0].Level,
                    $"{levels[0].ParameterCount} parameters", levels[0].ParameterCount.ToString(CultureInfo.InvariantCulture)));
        if (!budget.Bytes.IsMissing)
            level = Math.Min(level, Highest(levels, budget.Bytes, l => l.MemoryBytes)
                ?? throw BelowSmallest(model, networkTask, row, model.Columns.MemoryBudgetBytes, budget.Bytes, "bytes", levels[0].Level,
                    $"{levels[0].MemoryBytes} bytes ({levels[0].ParameterCount} parameters and {levels[0].ActivationValues} activation values of one row, " +
                    "4 bytes each)", levels[0].MemoryBytes.ToString(CultureInfo.InvariantCulture)));
        if (!budget.Microseconds.IsMissing)
            level = Math.Min(level, LatencyLevel(model, networkTask, budget, row));
        return level;
    }

    private static int LatencyLevel(DvnModel model, int networkTask, in RowBudget budget, long row)
    {
        var latencies = budget.Latencies ?? throw new InvalidOperationException(
            $"Column '{model.Columns.LatencyBudget}', row {row}: a latency budget of {budget.Microseconds} microseconds needs the measured " +
            "latency of every level, and this DVN transformer has none. Measure it on this machine with dvnTransformer.MeasureLatency(sampleRows), " +
            "or attach a saved table with dvnTransformer.SetLatencies(DvnLatencyTable.Load(path)), before making the PredictionEngine or calling Transform; " +
            "or leave the latency budget missing (NaN).");
        var levels = model.Task(networkTask).Levels;
        for (int j = levels.Length; j >= 1; j--)
            if (budget.Microseconds.Allows(latencies.Microseconds(networkTask, j)))
                return j;
        int fastest = Enumerable.Range(1, levels.Length).MinBy(j => latencies.Microseconds(networkTask, j));
        double microseconds = latencies.Microseconds(networkTask, fastest);
        string time = microseconds.ToString("R", CultureInfo.InvariantCulture);
        throw BelowSmallest(model, networkTask, row, model.Columns.LatencyBudget, budget.Microseconds, "microseconds", levels[fastest - 1].Level,
            $"{time} microseconds (single-row p{latencies.Table.Percentile.ToString(CultureInfo.InvariantCulture)} measured on {latencies.Table.Machine.Name})",
            time, "fastest");
    }

    // The highest level (1-based) whose cost fits, or null when none does.
    private static int? Highest(LevelDescriptor[] levels, in BudgetValue budget, Func<LevelDescriptor, long> cost)
    {
        for (int j = levels.Length; j >= 1; j--)
            if (budget.Allows(cost(levels[j - 1])))
                return j;
        return null;
    }

    private static InvalidOperationException BelowSmallest(DvnModel model, int networkTask, long row, string column, in BudgetValue budget,
        string unit, int level, string size, string least, string smallest = "smallest") =>
        new($"Column '{column}', row {row}: a budget of {budget} {unit} is below the {smallest} level " +
            $"of task {model.DescribeTask((ulong)model.Task(networkTask).Key)}, level {level} with {size}. " +
            $"Give at least {least}, or leave the budget missing (NaN) for the largest level.");
}
