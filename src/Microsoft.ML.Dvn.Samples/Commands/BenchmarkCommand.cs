using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.Dvn.Samples.Benchmark;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// The Fashion-MNIST multi-task benchmark of docs/benchmarks.md: the DVN against independent networks, a shared
/// multi-head network and ML.NET's trainers, then the DVN's prediction speed. Writes the JSON report, the same as
/// markdown tables, and a plot per task.
/// </summary>
internal static class BenchmarkCommand
{
    public const string Usage =
        "benchmark [--scenario fmnist-3tasks] [--architecture cnn|mlp] [--epochs N] [--seed S] [--out PATH.json] [--plots DIR] [--quick]\n" +
        "    Runs the benchmark of docs/benchmarks.md; writes PATH.json, PATH.md and one PNG per task (in DIR, default next to PATH).\n" +
        "    Defaults: cnn, 5 epochs, seed 1, benchmark-fmnist-3tasks-<architecture>.json. --quick: 2,000 rows per task and 1 epoch, a smoke check.";

    public static void Run(Arguments args)
    {
        args.Choice("scenario", Scenario.Name);
        string architecture = args.Choice("architecture", Architectures.Cnn, Architectures.Mlp) ?? Architectures.Cnn;
        bool quick = args.Switch("quick");
        int epochs = args.Integer("epochs", minimum: 1) ?? (quick ? 1 : 5);
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        string output = Path.GetFullPath(args.Text("out") ?? $"benchmark-{Scenario.Name}-{architecture}.json");
        string plots = Path.GetFullPath(args.Text("plots") ?? Path.GetDirectoryName(output)!);
        args.RejectUnknown();

        var plan = quick ? BenchmarkPlan.Quick(architecture, epochs, seed) : BenchmarkPlan.Full(architecture, epochs, seed);
        var total = Stopwatch.StartNew();
        var data = Progress.Step("Loading Fashion-MNIST", () => new BenchmarkData(new Scenario(FashionMnist.Load()), plan));
        Console.WriteLine($"Benchmark {Scenario.Name}{(quick ? " (quick)" : "")}: {architecture}, {Wording.Count(epochs, "epoch")}, seed {seed}, " +
                          $"{plan.TrainRowsPerTask:N0} training and {plan.TestRowsPerTask:N0} test images per task.");

        var baselines = new NetworkBaselines(data, plan);
        var (dvn, pipeline) = baselines.Dvn();
        var inference = Progress.Step("Timing DVN predictions", () => InferenceTiming.Measure(pipeline, data, plan));
        var independent = baselines.Independent();
        var shared = baselines.SharedMultiHead();
        var mlnet = MlNetTrainers.Run(data, seed);

        var report = new BenchmarkReport(Scenario.Name, architecture, epochs, seed, Machine(), ConvolutionInfo.OfThisProcess(), plan.TrainRowsPerTask, plan.TestRowsPerTask,
            dvn, independent, shared, mlnet, inference);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Directory.CreateDirectory(plots);
        report.Save(output);
        string markdown = Path.ChangeExtension(output, ".md");
        MarkdownReport.Save(report, markdown);
        var images = Plots.Save(report, plots, Path.GetFileNameWithoutExtension(output));

        Console.WriteLine();
        Console.Write(MarkdownReport.Write(report));
        Console.WriteLine();
        Console.WriteLine($"Wrote {output}, {markdown} and {string.Join(", ", images)} in {Progress.Duration(total.Elapsed)}.");
    }

    internal static MachineInfo Machine()
    {
        string torchSharp = typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                            ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        return new MachineInfo(Environment.ProcessorCount, OperatingSystemName(), torchSharp.Split('+')[0]);
    }

    // /etc/os-release names the distribution ("Debian GNU/Linux 12 (bookworm)"); the runtime only knows the kernel.
    private static string OperatingSystemName()
    {
        const string osRelease = "/etc/os-release";
        string? prettyName = File.Exists(osRelease)
            ? File.ReadLines(osRelease).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        return prettyName ?? RuntimeInformation.OSDescription;
    }
}
