using System.ComponentModel;
using Microsoft.ML.Dvn.Sweep;

namespace Microsoft.ML.Dvn;

/// <summary>One task's accuracy/size frontier over the completed trials of a sweep.</summary>
/// <param name="Task">The task key (1-based) in the whole data, as in every (task, level) record.</param>
/// <param name="TaskName">The task's name (its value in the task column).</param>
/// <param name="Points">The non-dominated (parameter count, accuracy) points, by parameters.</param>
public sealed record DvnTaskFrontier(int Task, string TaskName, IReadOnlyList<DvnFrontierPoint> Points)
{
    /// <summary>0.2.0's name of <see cref="Task"/>.</summary>
    [Obsolete("Use Task: the task key, as every (task, level) record names it.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int TaskKey => Task;

    /// <summary>
    /// Every task's frontier over the levels of the given trials (by trial id), tasks by key: for measurements of your
    /// own, such as the test-set results of <see cref="DvnSweep.Test"/>.
    /// </summary>
    public static IReadOnlyList<DvnTaskFrontier> Of(IEnumerable<(int Trial, IReadOnlyList<DvnSweepLevel> Levels)> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        return trials.SelectMany(t => t.Levels.Select(l => (t.Trial, Level: l)))
            .GroupBy(p => (p.Level.Task, p.Level.TaskName))
            .OrderBy(g => g.Key.Task)
            .Select(g => new DvnTaskFrontier(g.Key.Task, g.Key.TaskName,
                ParetoFrontier.Of(g.Select(p => new DvnFrontierPoint(p.Trial, p.Level.Level, p.Level.ParameterCount, p.Level.MicroAccuracy)))))
            .ToArray();
    }
}
