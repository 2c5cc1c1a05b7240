using Microsoft.ML.Dvn.Samples.Data;
using Microsoft.ML.Dvn.Samples.Sweep;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// Searches DVN options on fmnist-3tasks for the best accuracy/size frontier of every task (docs/sweeps.md), and
/// writes the JSON report and the same as markdown (the benchmarks' sweep-plots command draws it).
/// </summary>
internal static class SweepCommand
{
    public const string Usage =
        "sweep [--scenario fmnist-3tasks|fmnist-4tasks] [--architecture mlp|cnn] [--strategy grid|random|halving|asha] [--trials N]\n" +
        "      [--time-budget MINUTES] [--epochs N] [--rows N] [--seed S] [--parallel N] [--threads N] [--test-seeds S,S,...]\n" +
        "      [--study FILE.db|CONNECTION [--workers N | --join | --report-only]] [--out PATH.json] [--quick]\n" +
        "    Sweeps learning rate, batch size, weight decay, units (the scenario's or 6), widths, learning-rate schedule, distillation\n" +
        "    and batch order on a 20% hold-out of the training images; writes PATH.json and PATH.md. --test-seeds:\n" +
        "    then refits the frontier's trials and the default options on all training images with each seed, tests them on the test\n" +
        "    images and trains the independent networks of the default levels' sizes with the same seeds (the report's 'test').\n" +
        "    --parallel: trials at once (default 1), each with --threads libtorch threads (default 1 with --parallel, else all cores).\n" +
        "    --study: keeps every trial's result in a SQLite file, or a PostgreSQL database (a connection string: Host=...;Database=...);\n" +
        "    the same command again resumes the sweep (finished trials do not run). With a study, --threads defaults to 1 so that\n" +
        "    every worker agrees. --workers N: starts N worker processes on this machine and waits for them, then writes the report.\n" +
        "    --join: this process is one more worker of the study (on this or another machine; same options), and writes no report.\n" +
        "    --report-only: writes the report from what the study holds now, running nothing (also while workers run).\n" +
        "    --rows N: the first N training images of each task (default all: 20,000 a task on fmnist-3tasks).\n" +
        "    Defaults: fmnist-3tasks, mlp, halving, 27 trials, no time budget, 9 epochs at most, seed 1,\n" +
        "    sweep-<scenario>-<architecture>-<strategy>.json. --quick: 500 images per task, 3 trials of at most 2 epochs, a smoke check.";

    public static void Run(Arguments args)
    {
        string scenarioName = args.Choice("scenario", Scenario.Names.ToArray()) ?? FmnistThreeTasks.ScenarioName;
        string architecture = args.Choice("architecture", Architectures.Mlp, Architectures.Cnn) ?? Architectures.Mlp;
        string strategyName = args.Choice("strategy", "grid", "random", "halving", "asha") ?? "halving";
        bool quick = args.Switch("quick");
        int trials = args.Integer("trials", minimum: 1) ?? (quick ? 3 : 27);
        double? minutes = args.Number("time-budget", minimum: 0.01);
        int? epochs = args.Integer("epochs", minimum: 1);
        int? rows = args.Integer("rows", minimum: 10);
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        var testSeeds = TestSeeds(args.Text("test-seeds"));
        int parallel = args.Integer("parallel", minimum: 1) ?? 1;
        int? threads = args.Integer("threads", minimum: 1);
        string? studyText = args.Text("study");
        int? workers = args.Integer("workers", minimum: 1);
        bool join = args.Switch("join"), reportOnly = args.Switch("report-only");
        string output = Path.GetFullPath(args.Text("out") ?? $"sweep-{scenarioName}-{architecture}-{strategyName}.json");
        args.RejectUnknown();
        if (studyText is null && (workers is not null || join || reportOnly))
            throw new UsageException("sweep: --workers, --join and --report-only work on a study; give --study FILE.db or a PostgreSQL connection string.");
        if ((workers is not null ? 1 : 0) + (join ? 1 : 0) + (reportOnly ? 1 : 0) > 1)
            throw new UsageException("sweep: give one of --workers, --join and --report-only.");
        var study = studyText is null ? null : Study(studyText) with { ReadOnly = reportOnly };
        if (study is not null)
            threads ??= 1;
        if (workers is int count)
            SweepWorkerProcesses.Run(args.Given, count);

        var plan = SweepPlan.Create(architecture, quick, epochs, rows);
        var scenario = Progress.Step("Loading Fashion-MNIST", () => Scenario.Create(scenarioName, FashionMnist.Load()));
        var tasks = scenario.TaskNames;
        var labels = tasks.SelectMany(scenario.Labels).ToArray();
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(tasks.SelectMany(t => scenario.TrainRows(t, plan.TrainRowsPerTask)).ToList());
        var strategy = strategyName switch
        {
            "grid" => DvnSweepStrategy.Grid, "random" => DvnSweepStrategy.Random, "asha" => DvnSweepStrategy.AsyncHalving, _ => DvnSweepStrategy.Halving,
        };
        var settings = new DvnSweepSettings
        {
            Strategy = strategy,
            MaximumTrials = trials,
            TimeBudget = minutes is double m ? TimeSpan.FromMinutes(m) : null,
            Seed = seed,
            ParallelTrials = parallel,
            ThreadsPerTrial = threads,
            Study = study,
            TrialCompleted = t => Console.WriteLine($"  trial {t.Id} {t.Status.ToString().ToLowerInvariant()} after {t.Epochs} epochs, " +
                                                    $"{t.FitSeconds:F1} s: " + (t.Levels.Count == 0 ? t.Message : string.Join("  ",
                                                        t.Levels.GroupBy(l => l.TaskName).Select(g => $"{g.Key} " + string.Join("/", g.Select(l => $"{l.MicroAccuracy:0.0%}")))))),
        };
        Console.WriteLine($"Sweep {scenario.Name}: {architecture}, {strategyName}, at most {Wording.Count(trials, "trial")}" +
                          (minutes is double budget ? $" or {budget:0.##} minutes" : "") + $", at most {Wording.Count(plan.MaximumEpochs, "epoch")}, " +
                          $"{plan.TrainRowsPerTask:N0} training images per task, seed {seed}.");
        int fits = 0;
        var sweep = new DvnSweep(ml, options =>
        {
            Interlocked.Increment(ref fits);
            return DvnPipeline.Estimator(ml, tasks, labels, options);
        }, plan.Space, settings);
        var result = Progress.Step(reportOnly ? "Reading the study" : "Sweeping", () => sweep.Run(data));
        // The first call of the pipeline is the sweep's probe of the tasks, which trains nothing.
        int fitsHere = fits - 1;
        Console.WriteLine($"Fits in this process: {fitsHere}.");
        if (join)
        {
            Console.WriteLine($"Worker done: the {study} holds {Wording.Count(result.Trials.Count, "trial")}; " +
                              "the process that writes the report runs the same command without --join.");
            return;
        }

        var test = testSeeds is null ? null : Progress.Step("Testing", () => SweepTestRun.Run(sweep, result, scenario, plan, data, testSeeds));
        var report = SweepReport.From(result, plan, scenario.Name, minutes, settings.Evaluation.ToString(), fitsHere, MachineInfo.OfThisProcess(), test);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        report.Save(output);
        string markdown = Path.ChangeExtension(output, ".md");
        SweepMarkdown.Save(report, markdown);
        Console.WriteLine();
        Console.Write(SweepMarkdown.Write(report));
        Console.WriteLine();
        Console.WriteLine($"Wrote {output} and {markdown}; plots: dotnet run -c Release --project src/Microsoft.ML.Dvn.Benchmarks -- sweep-plots --report {output}");
    }

    // A PostgreSQL connection string names its host; anything else is a SQLite file.
    private static DvnStudy Study(string text) =>
        text.Contains("host=", StringComparison.OrdinalIgnoreCase) ? DvnStudy.PostgreSql(text) : DvnStudy.Sqlite(text);

    private static IReadOnlyList<int>? TestSeeds(string? text)
    {
        if (text is null)
            return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var seeds = parts.Select(p => int.TryParse(p, out int s) && s >= 0 ? s : -1).ToArray();
        return seeds.Length > 0 && seeds.All(s => s >= 0) ? seeds
            : throw new UsageException($"--test-seeds is '{text}'; expected seeds (0 or more) separated by commas, such as 1,2,3.");
    }
}
