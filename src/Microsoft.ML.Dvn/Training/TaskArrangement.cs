using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// Places tasks on the line of home units from their measured affinity (ours, issue 11): the order that maximises
/// sum over task pairs of affinity(s, t) * shared(s, t), where shared(s, t) counts the units that level j of s and
/// level j of t have in common, summed over the levels, under the allocation rule for the given units and levels.
/// Related tasks then share the most units; tasks whose gradients conflict (negative affinity) share the fewest.
/// </summary>
/// <remarks>
/// Up to <see cref="ExhaustiveLimit"/> tasks every order is tried (8! = 40,320); beyond, swaps of two tasks that
/// improve the sum are made until none does (a local optimum). Ties go to the order first in the canonical task ranks,
/// so the result does not depend on the task keys.
/// </remarks>
internal static class TaskArrangement
{
    public const int ExhaustiveLimit = 8;

    /// <param name="affinity">Symmetric task affinities, task t at index t-1.</param>
    /// <param name="canonicalRank">Every task's rank in an order that does not depend on the task keys (breaks ties).</param>
    /// <param name="numberOfUnits">K.</param>
    /// <param name="numberOfLevels">L.</param>
    public static TaskOrder Choose(double[,] affinity, IReadOnlyList<int> canonicalRank, int numberOfUnits, int numberOfLevels)
    {
        int tasks = canonicalRank.Count;
        var shared = SharedUnits(tasks, numberOfUnits, numberOfLevels);
        double Score(int[] byPosition)
        {
            double score = 0;
            for (int p = 0; p < tasks; p++)
                for (int q = p + 1; q < tasks; q++)
                    score += affinity[byPosition[p], byPosition[q]] * shared[p, q];
            return score;
        }

        // Task indices (0-based) by canonical rank: the enumeration runs in canonical terms.
        var canonical = Enumerable.Range(0, tasks).OrderBy(t => canonicalRank[t]).ToArray();
        var best = tasks <= ExhaustiveLimit ? Exhaustive(canonical, Score) : LocalSearch(canonical, Score);
        return new TaskOrder(best.Select(t => t + 1).ToArray());
    }

    // shared[p, q]: units that the tasks at positions p and q (0-based) share, summed over the levels.
    private static int[,] SharedUnits(int tasks, int units, int levels)
    {
        var allocation = new UnitAllocation(tasks, units, levels);
        var shared = new int[tasks, tasks];
        for (int p = 1; p <= tasks; p++)
            for (int q = 1; q <= tasks; q++)
                for (int j = 1; j <= levels; j++)
                {
                    var a = allocation.Units(p, j);
                    var b = allocation.Units(q, j);
                    shared[p - 1, q - 1] += Math.Max(0, Math.Min(a.Last, b.Last) - Math.Max(a.First, b.First) + 1);
                }
        return shared;
    }

    // Every permutation, in lexicographic order of canonical ranks; the first of the best scores wins.
    private static int[] Exhaustive(int[] canonical, Func<int[], double> score)
    {
        var current = (int[])canonical.Clone();
        var best = (int[])current.Clone();
        double bestScore = score(current);
        var ranks = Enumerable.Range(0, canonical.Length).ToArray();
        while (NextPermutation(ranks))
        {
            for (int i = 0; i < ranks.Length; i++)
                current[i] = canonical[ranks[i]];
            double value = score(current);
            if (value > bestScore)
            {
                bestScore = value;
                best = (int[])current.Clone();
            }
        }
        return best;
    }

    // From the canonical order, the best improving swap of two positions until no swap improves.
    private static int[] LocalSearch(int[] canonical, Func<int[], double> score)
    {
        var current = (int[])canonical.Clone();
        double currentScore = score(current);
        while (true)
        {
            (int P, int Q, double Score)? best = null;
            for (int p = 0; p < current.Length; p++)
                for (int q = p + 1; q < current.Length; q++)
                {
                    (current[p], current[q]) = (current[q], current[p]);
                    double value = score(current);
                    (current[p], current[q]) = (current[q], current[p]);
                    if (value > (best?.Score ?? currentScore))
                        best = (p, q, value);
                }
            if (best is not { } swap)
                return current;
            (current[swap.P], current[swap.Q]) = (current[swap.Q], current[swap.P]);
            currentScore = swap.Score;
        }
    }

    private static bool NextPermutation(int[] values)
    {
        int i = values.Length - 2;
        while (i >= 0 && values[i] >= values[i + 1])
            i--;
        if (i < 0)
            return false;
        int j = values.Length - 1;
        while (values[j] <= values[i])
            j--;
        (values[i], values[j]) = (values[j], values[i]);
        Array.Reverse(values, i + 1, values.Length - i - 1);
        return true;
    }
}
