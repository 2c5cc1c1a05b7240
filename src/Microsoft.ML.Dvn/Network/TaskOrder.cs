namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// Where each task sits on the line of home units: the allocation rule gives position p the home unit
/// floor((p-1)K/T) + 1, so tasks at neighbouring positions share the most units. The identity order (task t at
/// position t) is the paper's rule, which ties sharing to the task keys' order; an order from measured task affinity
/// (ours) puts related tasks side by side instead.
/// </summary>
internal sealed class TaskOrder
{
    private readonly int[] _tasksByPosition;
    private readonly int[] _positions;

    /// <param name="tasksByPosition">The task (1-based) at each position, position 1 first: a permutation of 1..T.</param>
    public TaskOrder(IReadOnlyList<int> tasksByPosition)
    {
        int count = tasksByPosition.Count;
        if (count < 1)
            throw new ArgumentException("A task order needs at least one task.", nameof(tasksByPosition));
        _tasksByPosition = tasksByPosition.ToArray();
        _positions = new int[count];
        for (int p = 1; p <= count; p++)
        {
            int task = _tasksByPosition[p - 1];
            if (task < 1 || task > count || _positions[task - 1] != 0)
                throw new ArgumentException(
                    $"A task order must list each task 1..{count} once; got {string.Join(", ", _tasksByPosition)}.", nameof(tasksByPosition));
            _positions[task - 1] = p;
        }
    }

    /// <summary>Task t at position t: the paper's rule.</summary>
    public static TaskOrder Identity(int numberOfTasks) => new(Enumerable.Range(1, numberOfTasks).ToArray());

    public int NumberOfTasks => _positions.Length;

    /// <summary>The task (1-based) at each position, position 1 first.</summary>
    public IReadOnlyList<int> TasksByPosition => _tasksByPosition;

    /// <summary>The position (1-based) of task <paramref name="task"/> (1-based).</summary>
    public int Position(int task) => _positions[task - 1];

    public override string ToString() => string.Join(", ", _tasksByPosition);
}
