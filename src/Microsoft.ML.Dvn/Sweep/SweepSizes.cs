using Microsoft.ML.Dvn.Network;
using Microsoft.ML.Dvn.Pipeline;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Sweep;

/// <summary>
/// The sizes a search space can reach for every task on the sweep's data (<see cref="DvnSizeRange"/>), counted by the
/// network itself: a network is built (and disposed) for every combination of the extremes of the architecture, units
/// and levels dimensions that the trainer accepts, and its level 1 and top level are counted for every task.
/// </summary>
internal static class SweepSizes
{
    public static IReadOnlyDictionary<string, DvnSizeRange> Of(DvnSearchSpace space, DvnDataSummary data)
    {
        int tasks = data.TaskNames.Count;
        var smallest = Enumerable.Repeat(long.MaxValue, tasks).ToArray();
        var largest = new long[tasks];
        var defaults = space.Defaults;
        foreach (int units in space.Units.Bounds(space.Resolved(defaults, tasks)))
            foreach (int levels in space.Levels.Bounds(space.Resolved(defaults with { NumberOfUnits = units }, tasks)))
                foreach (var architecture in space.Backbone.Bounds(space.Resolved(defaults with { NumberOfUnits = units, NumberOfLevels = levels }, tasks)))
                {
                    var combination = defaults with { NumberOfUnits = units, NumberOfLevels = levels, Architecture = architecture, LevelWeights = null };
                    if (space.Inadmissible(combination, tasks) is not null)
                        continue;
                    var resolved = space.Resolved(combination, tasks);
                    using var scope = NewDisposeScope();
                    using var network = new DvnNetwork(architecture, data.FeatureLength, data.ClassCounts,
                        new UnitAllocation(tasks, resolved.NumberOfUnits, resolved.NumberOfLevels), seed: 0);
                    for (int t = 1; t <= tasks; t++)
                    {
                        smallest[t - 1] = Math.Min(smallest[t - 1], network.ParameterCount(t, 1));
                        largest[t - 1] = Math.Max(largest[t - 1], network.ParameterCount(t, resolved.NumberOfLevels));
                    }
                }
        if (largest.Any(l => l == 0))
            throw new ArgumentException($"No combination of the search space's units, levels and architectures can train on {tasks} tasks.");
        return Enumerable.Range(0, tasks).ToDictionary(t => data.TaskNames[t], t => new DvnSizeRange(smallest[t], largest[t]));
    }
}
