namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>
/// A multi-task benchmark scenario of docs/benchmarks.md on a ten-class image set: its tasks (task key t is the t-th
/// listed), the units K and levels L its DVN has, and every task's training and test rows.
/// </summary>
internal abstract class Scenario(ImageSet images)
{
    /// <summary>The scenarios the benchmark command knows.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { FmnistThreeTasks.ScenarioName, FmnistFourTasks.ScenarioName };

    public ImageSet Images { get; } = images;

    public abstract string Name { get; }

    /// <summary>The tasks in task-key order.</summary>
    public abstract IReadOnlyList<string> TaskNames { get; }

    /// <summary>K: units every hidden layer of the DVN is cut into.</summary>
    public abstract int NumberOfUnits { get; }

    /// <summary>L: levels of every task's virtual network.</summary>
    public abstract int NumberOfLevels { get; }

    /// <summary>The scenario called <paramref name="name"/> on <paramref name="images"/>.</summary>
    public static Scenario Create(string name, ImageSet images) => name switch
    {
        FmnistThreeTasks.ScenarioName => new FmnistThreeTasks(images),
        FmnistFourTasks.ScenarioName => new FmnistFourTasks(images),
        _ => throw new UsageException($"Unknown scenario '{name}'; expected {string.Join(" or ", Names)}."),
    };

    /// <summary>The 1-based key of a task, as the pipeline's Task column numbers it.</summary>
    public int TaskKey(string task)
    {
        int index = TaskNames.ToList().IndexOf(task);
        return index >= 0
            ? index + 1
            : throw new ArgumentOutOfRangeException(nameof(task), task, $"Unknown task; the tasks of {Name} are {string.Join(", ", TaskNames)}.");
    }

    /// <summary>The task's label values in key order, each prefixed with the task's name.</summary>
    public abstract IReadOnlyList<string> Labels(string task);

    /// <summary>The task's training rows, at most <paramref name="limit"/> of them (all without a limit).</summary>
    public abstract List<TaskRow> TrainRows(string task, int? limit);

    /// <summary>The task's test rows, at most <paramref name="limit"/> of them (all without a limit).</summary>
    public abstract List<TaskRow> TestRows(string task, int? limit);
}
