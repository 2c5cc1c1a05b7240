namespace Microsoft.ML.Dvn;

/// <summary>One task's accuracy/size frontier over the completed trials of a sweep.</summary>
/// <param name="Task">The task's name (its value in the task column).</param>
/// <param name="TaskKey">The task key (1-based).</param>
/// <param name="Points">The non-dominated (parameter count, accuracy) points, by parameters.</param>
public sealed record DvnTaskFrontier(string Task, int TaskKey, IReadOnlyList<DvnFrontierPoint> Points);
