using Microsoft.ML.Dvn.Benchmarks.Comparison;
using Microsoft.ML.Dvn.Samples.Sweep;

namespace Microsoft.ML.Dvn.Benchmarks.Commands;

/// <summary>The plots of a sweep report that the samples' sweep command wrote (docs/sweeps.md).</summary>
internal static class SweepPlotsCommand
{
    public const string Usage =
        "sweep-plots --report PATH.json [--plots DIR]\n" +
        "    One PNG per task from a report of the samples' sweep command: every completed trial's levels in grey, the frontier\n" +
        "    as a line, the default options' levels marked. Writes DIR/<report name>-<task>.png (default DIR: the report's folder).";

    public static void Run(Arguments args)
    {
        string report = Path.GetFullPath(args.Text("report")
                                         ?? throw new UsageException("'sweep-plots' needs --report PATH.json, a report of the samples' sweep command."));
        string plots = Path.GetFullPath(args.Text("plots") ?? Path.GetDirectoryName(report)!);
        args.RejectUnknown();
        Directory.CreateDirectory(plots);
        var images = SweepPlots.Save(SweepReport.Load(report), plots, Path.GetFileNameWithoutExtension(report));
        Console.WriteLine($"Wrote {string.Join(", ", images)}.");
    }
}
