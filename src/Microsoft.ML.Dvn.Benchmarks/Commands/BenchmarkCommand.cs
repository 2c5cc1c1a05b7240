using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Dvn.Benchmarks.Comparison;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Benchmarks.Commands;

/// <summary>
/// The Fashion-MNIST multi-task benchmark of docs/benchmarks.md: the DVN against independent networks, a shared
/// multi-head network and ML.NET's trainers, then the DVN's prediction speed; on one seed or several. Writes the JSON
/// report, the same as markdown tables, and a plot per task.
/// </summary>
internal static class BenchmarkCommand
{
    public const string Usage =
        "benchmark [--scenario fmnist-3tasks|fmnist-4tasks] [--architecture cnn|mlp] [--epochs N] [--seed S | --seeds S1,S2,...]\n" +
        "          [--out PATH.json] [--plots DIR] [--quick] [--skip shared,mlnet,timing] [--baselines DIR]\n" +
        "          [--distillation W] [--task-order keys|affinity] [--lr-schedule constant|cosine|constant-then-cosine] [--batch-order round-robin|proportional]\n" +
        "          [--level-weights W1,W2,...]\n" +
        "benchmark --from PATH.json[,PATH2.json,...] [--out PATH.json] [--plots DIR]\n" +
        "    Writes the markdown and plots of a saved report again, or the summary of single-seed reports (no training).\n" +
        "    Runs the benchmark of docs/benchmarks.md; writes PATH.json, PATH.md and one PNG per task (in DIR, default next to PATH).\n" +
        "    Defaults: fmnist-3tasks, cnn, 5 epochs, seed 1, benchmark-<scenario>-<architecture>.json. --quick: 2,000 rows per task\n" +
        "    and 1 epoch, a smoke check. With several seeds, PATH.json holds every run and, per (task, level), mean and spread of\n" +
        "    DVN and independent accuracy and their paired difference with a 95% interval. --skip leaves parts out (ablations);\n" +
        "    --baselines keeps the independent networks' results in DIR and reuses them (they do not depend on the DVN's options\n" +
        "    other than the learning-rate schedule). The method options default to the library's (DvnEstimator.Options).";

    public static void Run(Arguments args)
    {
        if (args.Text("from") is { } from)
        {
            Render(args, Path.GetFullPath(from));
            return;
        }
        string scenarioName = args.Choice("scenario", Scenario.Names.ToArray()) ?? FmnistThreeTasks.ScenarioName;
        string architecture = args.Choice("architecture", Architectures.Cnn, Architectures.Mlp) ?? Architectures.Cnn;
        bool quick = args.Switch("quick");
        int epochs = args.Integer("epochs", minimum: 1) ?? (quick ? 1 : 5);
        var seeds = Seeds(args);
        var skip = List(args, "skip", text => BenchmarkPlan.Parts.Contains(text) ? text : null, "shared, mlnet or timing")?.ToHashSet() ?? new HashSet<string>();
        string? baselines = args.Text("baselines") is { } directory ? Path.GetFullPath(directory) : null;
        var recipe = Recipe(args);
        string output = Path.GetFullPath(args.Text("out") ?? $"benchmark-{scenarioName}-{architecture}.json");
        string plots = Path.GetFullPath(args.Text("plots") ?? Path.GetDirectoryName(output)!);
        args.RejectUnknown();

        var plan = quick ? BenchmarkPlan.Quick(architecture, epochs, seeds[0], skip) : BenchmarkPlan.Full(architecture, epochs, seeds[0], skip);
        var total = Stopwatch.StartNew();
        var data = Progress.Step("Loading Fashion-MNIST", () => new BenchmarkData(Scenario.Create(scenarioName, FashionMnist.Load()), plan));
        Console.WriteLine($"Benchmark {scenarioName}{(quick ? " (quick)" : "")}: {architecture}, {Wording.Count(epochs, "epoch")}, " +
                          $"seeds {string.Join(", ", seeds)}; {recipe}; training images {string.Join(", ", data.Train.Select(p => $"{p.Key} {p.Value.Count:N0}"))}.");

        var runs = seeds.Select(seed => RunSeed(data, plan with { Seed = seed }, recipe, baselines, quick)).ToList();

        Write(runs.Count == 1 ? runs[0] : SeedSummary.Of(runs), output, plots, total.Elapsed);
    }

    // The report (a BenchmarkReport or a SeedSummary) as JSON, markdown next to it, and plots.
    private static void Write(object report, string output, string plots, TimeSpan elapsed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Directory.CreateDirectory(plots);
        string markdown = Path.ChangeExtension(output, ".md"), stem = Path.GetFileNameWithoutExtension(output);
        var (text, images) = report switch
        {
            BenchmarkReport run => (MarkdownReport.Write(run), Plots.Save(run, plots, stem)),
            SeedSummary summary => (MarkdownReport.Write(summary), Plots.Save(summary, plots, stem)),
            _ => throw new ArgumentException($"Not a benchmark report: {report.GetType().Name}.", nameof(report)),
        };
        File.WriteAllText(output, JsonSerializer.Serialize(report, report.GetType(), BenchmarkReport.Json));
        File.WriteAllText(markdown, text);
        Console.WriteLine();
        Console.Write(text);
        Console.WriteLine();
        Console.WriteLine($"Wrote {output}, {markdown} and {string.Join(", ", images)} in {Progress.Duration(elapsed)}.");
    }

    // One saved report again, or single-seed reports of the same benchmark (run apart, e.g. side by side) as one summary.
    private static void Render(Arguments args, string from)
    {
        var paths = from.Split(',', StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToArray();
        string output = Path.GetFullPath(args.Text("out") ?? (paths.Length == 1 ? paths[0] : throw new UsageException(
            "'benchmark': --from with several reports needs --out for their summary.")));
        string plots = Path.GetFullPath(args.Text("plots") ?? Path.GetDirectoryName(output)!);
        args.RejectUnknown();
        var reports = paths.Select(path => File.Exists(path)
            ? File.ReadAllText(path)
            : throw new UsageException($"'benchmark': --from {path} does not exist.")).ToArray();
        if (reports.Length == 1)
        {
            // A summary over seeds has "seeds"; a single run has "seed".
            Write(JsonDocument.Parse(reports[0]).RootElement.TryGetProperty("seeds", out _)
                ? JsonSerializer.Deserialize<SeedSummary>(reports[0], BenchmarkReport.Json)!
                : JsonSerializer.Deserialize<BenchmarkReport>(reports[0], BenchmarkReport.Json)!, output, plots, TimeSpan.Zero);
            return;
        }
        var runs = reports.Select(json => JsonSerializer.Deserialize<BenchmarkReport>(json, BenchmarkReport.Json)!).OrderBy(r => r.Seed).ToList();
        var first = runs[0];
        if (runs.Any(r => r.Scenario != first.Scenario || r.Architecture != first.Architecture || r.Epochs != first.Epochs ||
                          !r.TrainRows.OrderBy(p => p.Key).SequenceEqual(first.TrainRows.OrderBy(p => p.Key)) ||
                          r.Method.ToString() != first.Method.ToString()) || runs.Select(r => r.Seed).Distinct().Count() != runs.Count)
            throw new UsageException("'benchmark': the reports of --from are not seeds of one benchmark (scenario, architecture, epochs, " +
                                     "rows and training methods must agree, and the seeds differ).");
        Write(SeedSummary.Of(runs), output, plots, TimeSpan.Zero);
    }

    private static BenchmarkReport RunSeed(BenchmarkData data, BenchmarkPlan plan, TrainingRecipe recipe, string? baselines, bool quick)
    {
        Console.WriteLine($"Seed {plan.Seed}:");
        var networks = new NetworkBaselines(data, plan, recipe);
        var (dvn, pipeline) = networks.Dvn();
        var inference = plan.Runs(BenchmarkPlan.TimingPart)
            ? Progress.Step("Timing DVN predictions", () => InferenceTiming.Measure(pipeline, data, plan))
            : Array.Empty<InferenceResult>();
        var independent = Independent(networks, data, plan, recipe, baselines, quick);
        var shared = plan.Runs(BenchmarkPlan.SharedPart) ? networks.SharedMultiHead() : null;
        var mlnet = plan.Runs(BenchmarkPlan.MlNetPart) ? MlNetTrainers.Run(data, plan.Seed) : Array.Empty<MlNetResult>();
        var tasksAlongUnits = pipeline.Dvn.Training.TasksInUnitOrder.Select(pipeline.Dvn.GetTaskName).ToArray();
        return new BenchmarkReport(data.Scenario.Name, plan.Architecture, plan.Epochs, plan.Seed, MachineInfo.OfThisProcess(), ConvolutionInfo.OfThisProcess(), recipe, tasksAlongUnits,
            data.Train.ToDictionary(p => p.Key, p => p.Value.Count), data.Test.ToDictionary(p => p.Key, p => p.Value.Count),
            dvn, independent, shared, mlnet, inference);
    }

    // The independent networks see nothing of the DVN's options but the learning-rate schedule: with a baselines
    // directory, each (scenario, architecture, epochs, seed, schedule) is trained once and read back after.
    private static NetworkResult Independent(NetworkBaselines networks, BenchmarkData data, BenchmarkPlan plan, TrainingRecipe recipe,
        string? baselines, bool quick)
    {
        if (baselines is null)
            return networks.Independent();
        string name = $"independent-{data.Scenario.Name}-{plan.Architecture}-{plan.Epochs}e-seed{plan.Seed}-{recipe.LearningRateSchedule}{(quick ? "-quick" : "")}";
        string path = Path.Combine(baselines, name.ToLowerInvariant() + ".json");
        if (File.Exists(path))
        {
            Console.WriteLine($"Independent networks: read from {path}.");
            return JsonSerializer.Deserialize<NetworkResult>(File.ReadAllText(path), BenchmarkReport.Json)
                   ?? throw new InvalidDataException($"{path} is empty; delete it to train the independent networks again.");
        }
        var result = networks.Independent();
        Directory.CreateDirectory(baselines);
        File.WriteAllText(path, JsonSerializer.Serialize(result, BenchmarkReport.Json));
        return result;
    }

    private static int[] Seeds(Arguments args)
    {
        int? seed = args.Integer("seed", minimum: 0);
        var seeds = List(args, "seeds", text => int.TryParse(text, out int s) && s >= 0 ? s : (int?)null, "whole numbers of at least 0");
        if (seed is not null && seeds is not null)
            throw new UsageException("'benchmark': give --seed or --seeds, not both.");
        var chosen = seeds?.Select(s => s!.Value).ToArray() ?? new[] { seed ?? 1 };
        if (chosen.Distinct().Count() != chosen.Length)
            throw new UsageException($"'benchmark': --seeds {string.Join(",", chosen)} repeats a seed.");
        return chosen;
    }

    private static TrainingRecipe Recipe(Arguments args)
    {
        var defaults = TrainingRecipe.Defaults;
        double? distillation = args.Text("distillation") is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is >= 0 and <= 1
                ? d
                : throw new UsageException($"'benchmark': --distillation is '{text}'; expected a number within [0, 1].")
            : null;
        var weights = List(args, "level-weights",
            t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double w) && w >= 0 && double.IsFinite(w) ? w : (double?)null,
            "numbers of at least 0");
        return new TrainingRecipe(
            distillation ?? defaults.DistillationWeight,
            args.Choice("task-order", "keys", "affinity") switch { "keys" => DvnTaskOrder.TaskKeys, "affinity" => DvnTaskOrder.Affinity, _ => defaults.TaskOrder },
            args.Choice("lr-schedule", "constant", "cosine", "constant-then-cosine") switch
            {
                "constant" => DvnLearningRateSchedule.Constant,
                "cosine" => DvnLearningRateSchedule.Cosine,
                "constant-then-cosine" => DvnLearningRateSchedule.ConstantThenCosine,
                _ => defaults.LearningRateSchedule,
            },
            args.Choice("batch-order", "round-robin", "proportional") switch
            {
                "round-robin" => DvnBatchOrder.RoundRobin,
                "proportional" => DvnBatchOrder.Proportional,
                _ => defaults.BatchOrder,
            },
            weights?.Select(w => w!.Value).ToArray() ?? defaults.LevelWeights);
    }

    // A comma-separated option, each item parsed by `parse` (null: not valid); null when the option is absent.
    private static T[]? List<T>(Arguments args, string name, Func<string, T?> parse, string expected)
    {
        if (args.Text(name) is not { } text)
            return null;
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var values = items.Select(parse).ToArray();
        int bad = Array.FindIndex(values, v => v is null);
        if (bad >= 0 || items.Length == 0)
            throw new UsageException($"'benchmark': --{name} is '{text}'; expected a comma-separated list of {expected}{(bad >= 0 ? $" ('{items[bad]}' is not)" : "")}.");
        return values!;
    }
}
