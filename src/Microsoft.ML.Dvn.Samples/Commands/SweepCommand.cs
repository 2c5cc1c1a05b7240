using Microsoft.ML.Dvn.Samples.Data;
using Microsoft.ML.Dvn.Samples.Sweep;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// Searches DVN options on fmnist-3tasks for the best accuracy/size frontier of every task (docs/sweeps.md), and
/// writes the JSON report, the same as markdown and one plot per task.
/// </summary>
internal static class SweepCommand
{
    public const string Usage =
        "sweep [--scenario fmnist-3tasks] [--architecture mlp|cnn] [--strategy grid|random|halving] [--trials N] [--time-budget MINUTES]\n" +
        "      [--epochs N] [--seed S] [--out PATH.json] [--plots DIR] [--quick]\n" +
        "    Sweeps learning rate, batch size, weight decay, units (3 or 6) and widths on a 20% hold-out of the training images;\n" +
        "    writes PATH.json, PATH.md and one PNG per task. Defaults: mlp, halving, 27 trials, no time budget, 9 epochs at most, seed 1,\n" +
        "    sweep-fmnist-3tasks-<architecture>-<strategy>.json. --quick: 500 images per task, 3 trials of at most 2 epochs, a smoke check.";

    public static void Run(Arguments args)
    {
        args.Choice("scenario", Scenario.Name);
        string architecture = args.Choice("architecture", Architectures.Mlp, Architectures.Cnn) ?? Architectures.Mlp;
        string strategyName = args.Choice("strategy", "grid", "random", "halving") ?? "halving";
        bool quick = args.Switch("quick");
        int trials = args.Integer("trials", minimum: 1) ?? (quick ? 3 : 27);
        double? minutes = args.Number("time-budget", minimum: 0.01);
        int? epochs = args.Integer("epochs", minimum: 1);
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        string output = Path.GetFullPath(args.Text("out") ?? $"sweep-{Scenario.Name}-{architecture}-{strategyName}.json");
        string plots = Path.GetFullPath(args.Text("plots") ?? Path.GetDirectoryName(output)!);
        args.RejectUnknown();

        var plan = SweepPlan.Create(architecture, quick, epochs);
        var scenario = Progress.Step("Loading Fashion-MNIST", () => new Scenario(FashionMnist.Load()));
        var tasks = Scenario.TaskNames;
        var labels = tasks.SelectMany(scenario.Labels).ToArray();
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(tasks.SelectMany(t => scenario.TrainRows(t, plan.TrainRowsPerTask)).ToList());
        var strategy = strategyName switch { "grid" => DvnSweepStrategy.Grid, "random" => DvnSweepStrategy.Random, _ => DvnSweepStrategy.Halving };
        var settings = new DvnSweepSettings
        {
            Strategy = strategy,
            MaximumTrials = trials,
            TimeBudget = minutes is double m ? TimeSpan.FromMinutes(m) : null,
            Seed = seed,
            TrialCompleted = t => Console.WriteLine($"  trial {t.Id} {t.Status.ToString().ToLowerInvariant()} after {t.Epochs} epochs, " +
                                                    $"{t.FitSeconds:F1} s: " + (t.Levels.Count == 0 ? t.Message : string.Join("  ",
                                                        t.Levels.GroupBy(l => l.Task).Select(g => $"{g.Key} " + string.Join("/", g.Select(l => $"{l.Accuracy:0.0%}")))))),
        };
        Console.WriteLine($"Sweep {Scenario.Name}: {architecture}, {strategyName}, at most {Wording.Count(trials, "trial")}" +
                          (minutes is double budget ? $" or {budget:0.##} minutes" : "") + $", at most {Wording.Count(plan.MaximumEpochs, "epoch")}, " +
                          $"{plan.TrainRowsPerTask:N0} training images per task, seed {seed}.");
        var sweep = new DvnSweep(ml, options => DvnPipeline.Estimator(ml, tasks, labels, options), plan.Space, settings);
        var result = Progress.Step("Sweeping", () => sweep.Run(data));

        var report = SweepReport.From(result, plan, Scenario.Name, minutes, settings.Evaluation.ToString(), BenchmarkCommand.Machine());
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Directory.CreateDirectory(plots);
        report.Save(output);
        string markdown = Path.ChangeExtension(output, ".md");
        SweepMarkdown.Save(report, markdown);
        var images = SweepPlots.Save(report, plots, Path.GetFileNameWithoutExtension(output));
        Console.WriteLine();
        Console.Write(SweepMarkdown.Write(report));
        Console.WriteLine();
        Console.WriteLine($"Wrote {output}, {markdown} and {string.Join(", ", images)}.");
    }
}
