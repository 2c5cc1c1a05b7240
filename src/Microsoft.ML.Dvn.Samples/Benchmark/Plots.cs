using Microsoft.ML.Dvn.Samples.Data;
using ScottPlot;

namespace Microsoft.ML.Dvn.Samples.Benchmark;

/// <summary>
/// One PNG per task: test accuracy against the parameters a prediction reads. The DVN's levels form a line, the
/// independent and shared networks are points, and the ML.NET trainers (whose size is not counted in parameters)
/// are horizontal lines.
/// </summary>
internal static class Plots
{
    /// <summary>Writes &lt;directory&gt;/&lt;stem&gt;-&lt;task&gt;.png for every task; returns the paths.</summary>
    public static IReadOnlyList<string> Save(BenchmarkReport r, string directory, string stem) =>
        Scenario.TaskNames.Select(task =>
        {
            string path = Path.Combine(directory, $"{stem}-{task}.png");
            Create(r, task).SavePng(path, 1100, 560);
            return path;
        }).ToArray();

    private static Plot Create(BenchmarkReport r, string task)
    {
        var plot = new Plot();
        var colors = new ScottPlot.Palettes.Category10();

        var dvn = r.Dvn.Levels.Where(l => l.Task == task).OrderBy(l => l.Level).ToArray();
        var line = plot.Add.Scatter(dvn.Select(l => (double)l.Parameters).ToArray(), dvn.Select(l => 100 * l.Accuracy).ToArray(), colors.GetColor(0));
        line.LegendText = $"DVN levels 1-3 (one network, {r.Dvn.StoredParameters:N0} stored)";
        line.MarkerSize = 9;
        line.LineWidth = 2;

        var independent = r.Independent.Levels.Where(l => l.Task == task).ToArray();
        var points = plot.Add.ScatterPoints(independent.Select(l => (double)l.Parameters).ToArray(),
            independent.Select(l => 100 * l.Accuracy).ToArray(), colors.GetColor(1));
        points.LegendText = $"independent networks (9, {r.Independent.StoredParameters:N0} stored)";
        points.MarkerShape = MarkerShape.FilledSquare;
        points.MarkerSize = 9;

        var shared = r.SharedMultiHead.Levels.Single(l => l.Task == task);
        var marker = plot.Add.Marker(shared.Parameters, 100 * shared.Accuracy, MarkerShape.FilledDiamond, 12, colors.GetColor(2));
        marker.LegendText = $"shared multi-head network ({r.SharedMultiHead.StoredParameters:N0} stored)";

        int next = 3;
        foreach (var m in r.Mlnet.Where(m => m.Task == task))
        {
            var mark = plot.Add.HorizontalLine(100 * m.Accuracy, 1.5f, colors.GetColor(next++), LinePattern.Dashed);
            mark.LegendText = $"ML.NET {m.Trainer} ({m.ModelBytes / 1024.0:N0} KiB model)";
        }

        plot.Title($"{r.Scenario}, task '{task}': {r.Architecture.ToUpperInvariant()}, {Wording.Count(r.Epochs, "epoch")}, " +
                   $"{Wording.Count(r.TrainRowsPerTask, "training image")}");
        plot.XLabel("parameters read per prediction");
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
