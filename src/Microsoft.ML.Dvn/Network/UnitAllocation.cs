namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// The allocation rule (DVN-METHOD.md): which units each level of each task's virtual network uses.
/// </summary>
/// <remarks>
/// Paper: tasks with nearby indices share more units; for task t with home unit h(t), units are ordered by
/// distance |u - h(t)|, ties toward the lower index, and level j takes the first m_j of them.
/// Ours where the paper is silent (K != T or L != K): h(t) = floor((t-1)K/T) + 1 and m_j = ceil(jK/L).
/// With K = T and L = K this is exactly the paper's rule (h(t) = t, m_j = j).
/// Every prefix of the distance order is a contiguous range, so the result is a <see cref="UnitRange"/>.
/// </remarks>
internal sealed class UnitAllocation
{
    private readonly UnitRange[,] _units;

    public UnitAllocation(int numberOfTasks, int numberOfUnits, int numberOfLevels)
    {
        if (numberOfTasks < 1)
            throw new ArgumentOutOfRangeException(nameof(numberOfTasks), $"A DVN needs at least one task; got {numberOfTasks}.");
        if (numberOfUnits < 1)
            throw new ArgumentOutOfRangeException(nameof(numberOfUnits), $"A DVN needs at least one unit; got {numberOfUnits}.");
        if (numberOfLevels < 1 || numberOfLevels > numberOfUnits)
            throw new ArgumentOutOfRangeException(nameof(numberOfLevels),
                $"The number of levels must be between 1 and the number of units ({numberOfUnits}), so that every level " +
                $"adds at least one unit; got {numberOfLevels}.");
        NumberOfTasks = numberOfTasks;
        NumberOfUnits = numberOfUnits;
        NumberOfLevels = numberOfLevels;
        _units = new UnitRange[numberOfTasks, numberOfLevels];
        for (int t = 1; t <= numberOfTasks; t++)
            for (int j = 1; j <= numberOfLevels; j++)
                _units[t - 1, j - 1] = NearestUnits(HomeUnit(t), UnitsAtLevel(j));
    }

    public int NumberOfTasks { get; }

    public int NumberOfUnits { get; }

    public int NumberOfLevels { get; }

    /// <summary>The unit that level 1 of task <paramref name="task"/> (1-based) uses.</summary>
    public int HomeUnit(int task)
    {
        CheckTask(task);
        return (int)((long)(task - 1) * NumberOfUnits / NumberOfTasks) + 1;
    }

    /// <summary>How many units level <paramref name="level"/> (1-based) has: m_j = ceil(jK/L).</summary>
    public int UnitsAtLevel(int level)
    {
        CheckLevel(level);
        return (int)(((long)level * NumberOfUnits + NumberOfLevels - 1) / NumberOfLevels);
    }

    /// <summary>The units of level <paramref name="level"/> of task <paramref name="task"/>, both 1-based.</summary>
    public UnitRange Units(int task, int level)
    {
        CheckTask(task);
        CheckLevel(level);
        return _units[task - 1, level - 1];
    }

    // The first `count` units of the distance order, in closed form: ties go to the lower unit, so from the home unit
    // the two sides alternate, lower first, and the lower side takes count/2 units, the upper side (count-1)/2; where a
    // side runs out at unit 1 or unit K, the other side takes the rest. Costs the same for any number of units.
    private UnitRange NearestUnits(int home, int count)
    {
        int below = count / 2, above = (count - 1) / 2;
        if (home - below < 1)
            return new UnitRange(1, count);
        if ((long)home + above > NumberOfUnits)
            return new UnitRange(NumberOfUnits - count + 1, NumberOfUnits);
        return new UnitRange(home - below, home + above);
    }

    private void CheckTask(int task)
    {
        if (task < 1 || task > NumberOfTasks)
            throw new ArgumentOutOfRangeException(nameof(task), $"Task {task} does not exist: tasks are 1..{NumberOfTasks}.");
    }

    private void CheckLevel(int level)
    {
        if (level < 1 || level > NumberOfLevels)
            throw new ArgumentOutOfRangeException(nameof(level), $"Level {level} does not exist: levels are 1..{NumberOfLevels}.");
    }
}
