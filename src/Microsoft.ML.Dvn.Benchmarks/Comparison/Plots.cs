using ScottPlot;

namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>
/// One PNG per task: test accuracy against the parameters a prediction reads. The DVN's levels form a line, the
/// independent and shared networks are points, and the ML.NET trainers (whose size is not counted in parameters)
/// are horizontal lines. Over several seeds: means with error bars of one standard deviation.
/// </summary>
internal static class Plots
{
    /// <summary>Writes &lt;directory&gt;/&lt;stem&gt;-&lt;task&gt;.png for every task; returns the paths.</summary>
    public static IReadOnlyList<string> Save(BenchmarkReport r, string directory, string stem) =>
        r.Tasks.Select(task => Save(Create(r, task), directory, stem, task)).ToArray();

    /// <summary>The same over several seeds.</summary>
    public static IReadOnlyList<string> Save(SeedSummary s, string directory, string stem) =>
        s.Runs[0].Tasks.Select(task => Save(Create(s, task), directory, stem, task)).ToArray();

    private static string Save(Plot plot, string directory, string stem, string task)
    {
        string path = Path.Combine(directory, $"{stem}-{task}.png");
        plot.SavePng(path, 1100, 560);
        return path;
    }

    private static Plot Create(BenchmarkReport r, string task)
    {
        var plot = new Plot();
        var colors = new ScottPlot.Palettes.Category10();

        var dvn = r.Dvn.Levels.Where(l => l.Task == task).OrderBy(l => l.Level).ToArray();
        var line = plot.Add.Scatter(dvn.Select(l => (double)l.Parameters).ToArray(), dvn.Select(l => 100 * l.Accuracy).ToArray(), colors.GetColor(0));
        line.LegendText = $"DVN levels 1-{dvn.Length} (one network, {r.Dvn.StoredParameters:N0} stored)";
        line.MarkerSize = 9;
        line.LineWidth = 2;

        var independent = r.Independent.Levels.Where(l => l.Task == task).ToArray();
        var points = plot.Add.ScatterPoints(independent.Select(l => (double)l.Parameters).ToArray(),
            independent.Select(l => 100 * l.Accuracy).ToArray(), colors.GetColor(1));
        points.LegendText = $"independent networks ({r.Independent.Levels.Count}, {r.Independent.StoredParameters:N0} stored)";
        points.MarkerShape = MarkerShape.FilledSquare;
        points.MarkerSize = 9;

        if (r.SharedMultiHead?.Levels.Single(l => l.Task == task) is { } shared)
        {
            var marker = plot.Add.Marker(shared.Parameters, 100 * shared.Accuracy, MarkerShape.FilledDiamond, 12, colors.GetColor(2));
            marker.LegendText = $"shared multi-head network ({r.SharedMultiHead.StoredParameters:N0} stored)";
        }

        int next = 3;
        foreach (var m in r.Mlnet.Where(m => m.Task == task))
        {
            var mark = plot.Add.HorizontalLine(100 * m.Accuracy, 1.5f, colors.GetColor(next++), LinePattern.Dashed);
            mark.LegendText = $"ML.NET {m.Trainer} ({m.ModelBytes / 1024.0:N0} KiB model)";
        }

        plot.Title($"{r.Scenario}, task '{task}': {r.Architecture.ToUpperInvariant()}, {Wording.Count(r.Epochs, "epoch")}, " +
                   $"{Wording.Count(r.TrainRows[task], "training image")}");
        return Axes(plot);
    }

    private static Plot Create(SeedSummary s, string task)
    {
        var plot = new Plot();
        var colors = new ScottPlot.Palettes.Category10();
        var levels = s.Levels.Where(l => l.Task == task).OrderBy(l => l.Level).ToArray();
        var first = s.Runs[0];
        var parameters = levels.Select(l => (double)l.Parameters).ToArray();

        var dvn = plot.Add.Scatter(parameters, levels.Select(l => 100 * l.Dvn.Mean).ToArray(), colors.GetColor(0));
        dvn.LegendText = $"DVN levels 1-{levels.Length} (one network, {first.Dvn.StoredParameters:N0} stored); bars: ± 1 sd";
        dvn.MarkerSize = 9;
        dvn.LineWidth = 2;
        var dvnBars = plot.Add.ErrorBar(parameters, levels.Select(l => 100 * l.Dvn.Mean).ToArray(), levels.Select(l => 100 * l.Dvn.StandardDeviation).ToArray());
        dvnBars.Color = colors.GetColor(0);

        // The independent networks have the DVN levels' sizes up to their heads: drawn a little to the right, so the
        // two error bars do not cover each other.
        var shifted = parameters.Select(p => p * 1.02).ToArray();
        var independent = plot.Add.ScatterPoints(shifted, levels.Select(l => 100 * l.Independent.Mean).ToArray(), colors.GetColor(1));
        independent.LegendText = $"independent networks ({first.Independent.Levels.Count}, {first.Independent.StoredParameters:N0} stored)";
        independent.MarkerShape = MarkerShape.FilledSquare;
        independent.MarkerSize = 9;
        var independentBars = plot.Add.ErrorBar(shifted, levels.Select(l => 100 * l.Independent.Mean).ToArray(),
            levels.Select(l => 100 * l.Independent.StandardDeviation).ToArray());
        independentBars.Color = colors.GetColor(1);

        plot.Title($"{s.Scenario}, task '{task}': {s.Architecture.ToUpperInvariant()}, {Wording.Count(s.Epochs, "epoch")}, " +
                   $"mean ± sd over seeds {string.Join(", ", s.Seeds)}");
        return Axes(plot);
    }

    private static Plot Axes(Plot plot)
    {
        plot.XLabel("parameters read per prediction");
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
