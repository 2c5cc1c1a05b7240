using Microsoft.ML.Dvn.Model;
namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// Which level a row runs at: the highest level of its task whose parameter count is at most the row's budget.
/// No budget (NaN, or no budget column) means the highest level; a budget below the smallest level is an error.
/// </summary>
internal static class BudgetRule
{
    /// <returns>The network level, 1-based.</returns>
    public static int Level(DvnModel model, int networkTask, double budget, long row)
    {
        var levels = model.Task(networkTask).Levels;
        if (double.IsNaN(budget))
            return levels.Length;
        for (int j = levels.Length; j >= 1; j--)
            if (levels[j - 1].ParameterCount <= budget)
                return j;
        ulong taskKey = (ulong)model.Task(networkTask).Key;
        throw new InvalidOperationException(
            $"Column '{model.Columns.MemoryBudget}', row {row}: a budget of {budget} parameters is below the smallest level " +
            $"of task {model.DescribeTask(taskKey)}, level {levels[0].Level} with {levels[0].ParameterCount} parameters. " +
            $"Give at least {levels[0].ParameterCount}, or leave the budget missing (NaN) for the largest level.");
    }
}
