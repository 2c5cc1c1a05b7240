namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// The non-dominated (parameter count, accuracy) points of a task. A point is dominated when another has no more
/// parameters and strictly higher accuracy, or fewer parameters and no lower accuracy; what remains is the best
/// accuracy that each memory size can buy, sorted by parameters.
/// </summary>
internal static class ParetoFrontier
{
    public static IReadOnlyList<DvnFrontierPoint> Of(IEnumerable<DvnFrontierPoint> points)
    {
        // Sorted by parameters, most accurate first among equal sizes: a point survives when it is strictly more
        // accurate than everything smaller, and as accurate as the best of its own size.
        var sorted = points.OrderBy(p => p.ParameterCount).ThenByDescending(p => p.MicroAccuracy).ThenBy(p => p.Trial).ThenBy(p => p.Level).ToArray();
        var frontier = new List<DvnFrontierPoint>();
        double bestSmaller = double.NegativeInfinity;
        for (int i = 0; i < sorted.Length;)
        {
            long size = sorted[i].ParameterCount;
            double bestOfSize = sorted[i].MicroAccuracy;
            int end = i;
            while (end < sorted.Length && sorted[end].ParameterCount == size)
                end++;
            if (bestOfSize > bestSmaller)
                frontier.AddRange(sorted[i..end].Where(p => p.MicroAccuracy == bestOfSize));
            bestSmaller = Math.Max(bestSmaller, bestOfSize);
            i = end;
        }
        return frontier;
    }
}
