using Microsoft.ML.Dvn.Samples.Sweep;
using ScottPlot;

namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>
/// One PNG per task of a sweep report of the samples' sweep command: every completed trial's levels as grey points, the frontier as a line, the default options'
/// levels as red diamonds; parameters on a log scale.
/// </summary>
internal static class SweepPlots
{
    public static IReadOnlyList<string> Save(SweepReport r, string directory, string stem) =>
        r.Frontier.Keys.Select(task =>
        {
            string path = Path.Combine(directory, $"{stem}-{task}.png");
            Create(r, task).SavePng(path, 1000, 560);
            return path;
        }).ToArray();

    private static Plot Create(SweepReport r, string task)
    {
        var plot = new Plot();
        var levels = r.Trials.Where(t => t.Status == "completed").SelectMany(t => t.Levels).Where(l => l.Task == task).ToArray();
        var all = plot.Add.ScatterPoints(levels.Select(l => Math.Log10(l.ParameterCount)).ToArray(), levels.Select(l => 100 * l.Accuracy).ToArray(), Colors.Gray);
        all.LegendText = $"levels of the {r.Trials.Count(t => t.Status == "completed")} completed trials";
        all.MarkerSize = 6;

        var frontier = r.Frontier[task];
        var line = plot.Add.Scatter(frontier.Select(p => Math.Log10(p.ParameterCount)).ToArray(), frontier.Select(p => 100 * p.Accuracy).ToArray(), Colors.Blue);
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LegendText = "frontier";
        line.LineWidth = 2;
        line.MarkerSize = 8;

        var defaults = r.Default?.Levels.Where(l => l.Task == task).ToArray() ?? Array.Empty<SweepLevel>();
        var marks = plot.Add.ScatterPoints(defaults.Select(l => Math.Log10(l.ParameterCount)).ToArray(), defaults.Select(l => 100 * l.Accuracy).ToArray(), Colors.Red);
        marks.MarkerShape = MarkerShape.FilledDiamond;
        marks.MarkerSize = 12;
        marks.LegendText = "default options, levels 1-3";

        plot.Title($"Sweep {r.Scenario}, task '{task}': {r.Architecture.ToUpperInvariant()}, {r.Strategy}, {r.Trials.Count} trials, seed {r.Seed}");
        plot.XLabel("log10(parameters read per prediction)");
        plot.YLabel("held-out accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
