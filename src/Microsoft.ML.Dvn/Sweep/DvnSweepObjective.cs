namespace Microsoft.ML.Dvn;

/// <summary>
/// A scalar that ranks trials (higher is better): what successive halving promotes and what
/// <see cref="DvnSweepResult.Best"/> picks. Derive from it for an objective of your own.
/// </summary>
/// <remarks>
/// Scores may depend on the other trials being compared (<c>field</c>): the frontier objective measures each trial
/// against the sizes every trial of the field reaches. Halving compares the trials of one round; Best compares all
/// completed trials.
/// </remarks>
public abstract class DvnSweepObjective
{
    /// <summary>The objective's name in reports.</summary>
    public abstract string Name { get; }

    /// <summary>The score of a trial's levels, higher is better; NaN means the trial has nothing to rank.</summary>
    /// <param name="levels">Every (task, level) of the trial.</param>
    /// <param name="field">The levels of every trial being compared, this one included.</param>
    public abstract double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field);

    /// <summary>
    /// The default: how good each task's accuracy/size curve is. Per task, the area under the trial's accuracy as a
    /// function of log10(parameters budget): from the smallest size any trial of the field reaches to the largest, a
    /// budget counting the trial's best level that fits (0 where none does); the mean over tasks, divided by the width.
    /// A trial that reaches high accuracy with small levels scores high; it is what "contributes to the frontier".
    /// </summary>
    public static DvnSweepObjective Frontier { get; } = new FrontierObjective();

    /// <summary>The mean accuracy over every (task, level).</summary>
    public static DvnSweepObjective MeanAccuracy { get; } = new MeanAccuracyObjective();

    /// <summary>
    /// The mean over tasks of the accuracy each task reaches within its memory budget: its best level whose parameter
    /// count fits (0 where none fits). Tasks are named as in the task column.
    /// </summary>
    /// <param name="budgets">The budget (parameters) of every task, by name; every task of the data needs one.</param>
    public static DvnSweepObjective AccuracyWithinBudgets(IReadOnlyDictionary<string, long> budgets)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        return new BudgetObjective(new Dictionary<string, long>(budgets));
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class MeanAccuracyObjective : DvnSweepObjective
    {
        public override string Name => "mean accuracy";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field) =>
            levels.Count == 0 ? double.NaN : levels.Average(l => l.Accuracy);
    }

    private sealed class BudgetObjective(Dictionary<string, long> budgets) : DvnSweepObjective
    {
        public override string Name => "accuracy within budgets (" + string.Join(", ", budgets.Select(b => $"{b.Key} {b.Value:N0}")) + ")";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field)
        {
            if (levels.Count == 0)
                return double.NaN;
            return levels.GroupBy(l => l.Task).Average(task => BestWithin(task, budgets.TryGetValue(task.Key, out long budget)
                ? budget
                : throw new ArgumentException($"The objective has no memory budget for task '{task.Key}'; it has budgets for {string.Join(", ", budgets.Keys)}.")));
        }

        private static double BestWithin(IEnumerable<DvnSweepLevel> levels, long budget) =>
            levels.Where(l => l.ParameterCount <= budget).Select(l => l.Accuracy).DefaultIfEmpty(0).Max();
    }

    private sealed class FrontierObjective : DvnSweepObjective
    {
        public override string Name => "frontier (area under accuracy vs log parameters)";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field)
        {
            if (levels.Count == 0)
                return double.NaN;
            var everyLevel = field.SelectMany(f => f).Append(levels[0]).ToArray();
            return levels.GroupBy(l => l.Task).Average(task =>
            {
                var sizes = everyLevel.Where(l => l.Task == task.Key).Select(l => Math.Log10(l.ParameterCount)).ToArray();
                double from = sizes.Min(), to = sizes.Max();
                var own = task.OrderBy(l => l.ParameterCount).Select(l => (Size: Math.Log10(l.ParameterCount), l.Accuracy)).ToArray();
                if (to <= from)
                    return own.Max(l => l.Accuracy);
                // The trial's best accuracy within a budget is a step function of the budget; integrate it from `from` to `to`.
                double area = 0, best = 0, at = from;
                foreach (var (size, accuracy) in own)
                {
                    double start = Math.Max(size, from);
                    area += best * (start - at);
                    at = start;
                    best = Math.Max(best, accuracy);
                }
                area += best * (to - at);
                return area / (to - from);
            });
        }
    }
}
