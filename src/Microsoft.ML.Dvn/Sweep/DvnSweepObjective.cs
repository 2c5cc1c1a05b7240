namespace Microsoft.ML.Dvn;

/// <summary>
/// A scalar that ranks trials (higher is better): what successive halving promotes and what
/// <see cref="DvnSweepResult.Best"/> picks. Derive from it for an objective of your own.
/// </summary>
/// <remarks>
/// The built-in objectives score a trial from its own levels alone, so adding a trial never reorders two others.
/// An objective that throws, or returns NaN, leaves the trial unranked (last) with the message on the trial; the
/// sweep goes on.
/// </remarks>
public abstract class DvnSweepObjective
{
    /// <summary>The objective's name in reports.</summary>
    public abstract string Name { get; }

    /// <summary>The score of a trial's levels, higher is better; NaN means the trial has nothing to rank.</summary>
    /// <param name="levels">Every (task, level) of the trial.</param>
    /// <param name="field">The levels of every trial being compared, this one included (for objectives of your own;
    /// the built-in ones do not read it).</param>
    public abstract double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field);

    /// <summary>
    /// The default: how good each task's accuracy/size curve is, as a normalized hypervolume. Per task, the trial's
    /// best accuracy within a budget is a step function of the budget; its mean over budgets spread evenly on a log
    /// scale, from the smallest level the search space can build for the task to twice the largest top level it can
    /// build (<see cref="DvnSweepResult.SizeRanges"/>), is the area that the trial's (log parameters, accuracy) points
    /// dominate against the reference point (twice the largest size, accuracy 0), divided by the width. The score is
    /// the mean over tasks, in [0, 1]. Every level counts, the top one included (it buys its accuracy for at least one
    /// doubling of the budget); a task the trial did not measure counts 0. The sweep binds it to its search space's
    /// sizes before the first trial; outside a sweep, use <see cref="Hypervolume"/>.
    /// </summary>
    public static DvnSweepObjective Frontier { get; } = new FrontierObjective(null);

    /// <summary>The mean accuracy over every (task, level).</summary>
    public static DvnSweepObjective MeanAccuracy { get; } = new MeanAccuracyObjective();

    /// <summary><see cref="Frontier"/> against given size ranges, by task name (to score trials outside a sweep).</summary>
    public static DvnSweepObjective Hypervolume(IReadOnlyDictionary<string, DvnSizeRange> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        foreach (var (task, range) in sizes)
            if (range is null || range.Smallest < 1 || range.Largest < range.Smallest)
                throw new ArgumentOutOfRangeException(nameof(sizes), $"Task '{task}': the size range {range} needs 1 <= Smallest <= Largest.");
        return new FrontierObjective(new Dictionary<string, DvnSizeRange>(sizes));
    }

    /// <summary>
    /// The mean over tasks of the accuracy each task reaches within its memory budget: its best level whose parameter
    /// count fits (0 where none fits). Tasks are named as in the task column; a sweep refuses to start when a task of
    /// its data has no budget.
    /// </summary>
    /// <param name="budgets">The budget (parameters) of every task, by name; every task of the data needs one.</param>
    public static DvnSweepObjective AccuracyWithinBudgets(IReadOnlyDictionary<string, long> budgets)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        return new BudgetObjective(new Dictionary<string, long>(budgets));
    }

    /// <summary>
    /// This objective for a sweep whose tasks and reachable sizes are known, before any trial: the frontier objective
    /// takes its reference from the sizes; an objective that cannot score some task fails here, not after a round.
    /// </summary>
    internal virtual DvnSweepObjective For(IReadOnlyDictionary<string, DvnSizeRange> sizes) => this;

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class MeanAccuracyObjective : DvnSweepObjective
    {
        public override string Name => "mean accuracy";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field) =>
            levels.Count == 0 ? double.NaN : levels.Average(l => l.MicroAccuracy);
    }

    private sealed class BudgetObjective(Dictionary<string, long> budgets) : DvnSweepObjective
    {
        public override string Name => "accuracy within budgets (" + string.Join(", ", budgets.Select(b => $"{b.Key} {b.Value:N0}")) + ")";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field)
        {
            if (levels.Count == 0)
                return double.NaN;
            return levels.GroupBy(l => l.TaskName).Average(task => BestWithin(task, budgets.TryGetValue(task.Key, out long budget)
                ? budget
                : throw new ArgumentException($"The objective has no memory budget for task '{task.Key}'; it has budgets for {string.Join(", ", budgets.Keys)}.")));
        }

        internal override DvnSweepObjective For(IReadOnlyDictionary<string, DvnSizeRange> sizes)
        {
            var missing = sizes.Keys.Where(task => !budgets.ContainsKey(task)).ToArray();
            return missing.Length == 0 ? this : throw new ArgumentException(
                $"DvnSweepObjective.AccuracyWithinBudgets has no memory budget for task {string.Join(", ", missing.Select(t => $"'{t}'"))} " +
                $"of the sweep's data; it has budgets for {string.Join(", ", budgets.Keys.Select(t => $"'{t}'"))}. Give every task a budget.");
        }

        private static double BestWithin(IEnumerable<DvnSweepLevel> levels, long budget) =>
            levels.Where(l => l.ParameterCount <= budget).Select(l => l.MicroAccuracy).DefaultIfEmpty(0).Max();
    }

    private sealed class FrontierObjective(IReadOnlyDictionary<string, DvnSizeRange>? sizes) : DvnSweepObjective
    {
        public override string Name => "frontier (hypervolume of accuracy over log parameters)";

        public override double Score(IReadOnlyList<DvnSweepLevel> levels, IReadOnlyList<IReadOnlyList<DvnSweepLevel>> field)
        {
            if (sizes is null)
                throw new InvalidOperationException("The frontier objective measures trials against the sizes their search space can reach: " +
                                                    "a sweep sets them (DvnSweepResult.Best); outside one, use DvnSweepObjective.Hypervolume(sizes).");
            if (levels.Count == 0)
                return double.NaN;
            var unknown = levels.Select(l => l.TaskName).Distinct().Where(t => !sizes.ContainsKey(t)).ToArray();
            if (unknown.Length > 0)
                throw new ArgumentException($"The frontier objective has no size range for task {string.Join(", ", unknown.Select(t => $"'{t}'"))}; " +
                                            $"it has ranges for {string.Join(", ", sizes.Keys.Select(t => $"'{t}'"))}.");
            return sizes.Average(task => Area(levels.Where(l => l.TaskName == task.Key), task.Value));
        }

        internal override DvnSweepObjective For(IReadOnlyDictionary<string, DvnSizeRange> ranges) => new FrontierObjective(ranges);

        // The best accuracy within a budget, integrated over log10(budget) from the smallest size to twice the largest
        // and divided by that width. Levels outside the range count from its nearest end.
        private static double Area(IEnumerable<DvnSweepLevel> levels, DvnSizeRange range)
        {
            double from = Math.Log10(range.Smallest), to = Math.Log10(2.0 * range.Largest);
            double area = 0, best = 0, at = from;
            foreach (var level in levels.OrderBy(l => l.ParameterCount))
            {
                double start = Math.Clamp(Math.Log10(level.ParameterCount), from, to);
                area += best * (start - at);
                at = start;
                best = Math.Max(best, level.MicroAccuracy);
            }
            area += best * (to - at);
            return area / (to - from);
        }
    }
}
