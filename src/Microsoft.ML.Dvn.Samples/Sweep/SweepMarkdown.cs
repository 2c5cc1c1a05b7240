using System.Text;

namespace Microsoft.ML.Dvn.Samples.Sweep;

/// <summary>The sweep report as markdown: the frontier of every task against the default options, then every trial.</summary>
internal static class SweepMarkdown
{
    public static void Save(SweepReport r, string path) => File.WriteAllText(path, Write(r));

    public static string Write(SweepReport r)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Sweep: {r.Scenario}, {r.Architecture.ToUpperInvariant()}, {r.Strategy}, seed {r.Seed}");
        text.AppendLine();
        text.AppendLine($"{r.Trials.Count} trials in {Progress.Duration(TimeSpan.FromSeconds(r.ElapsedSeconds))}" +
                        (r.TimeBudgetMinutes is double budget ? $" (budget {budget:0.#} min)" : "") +
                        $"; trials' fits and evaluations {r.TrialSeconds:N0} s, so the sweep cost {r.ElapsedSeconds / r.TrialSeconds:0.00}x their sum. " +
                        $"{r.Evaluation} of {r.TrainRowsPerTask:N0} training images per task; objective: {r.Objective}; " +
                        $"{r.Machine.Cores} cores, {r.Machine.Os}." + (r.StopReason is null ? "" : $" Stopped: {r.StopReason}."));
        text.AppendLine();
        foreach (var (task, points) in r.Frontier)
        {
            text.AppendLine($"## {task}: frontier against the default options");
            text.AppendLine();
            text.AppendLine("| default level | parameters | default accuracy | best frontier accuracy within that size (trial, level, parameters) |");
            text.AppendLine("|---:|---:|---:|---|");
            foreach (var level in r.Default?.Levels.Where(l => l.Task == task) ?? Array.Empty<SweepLevel>())
            {
                var best = points.Where(p => p.ParameterCount <= level.ParameterCount).MaxBy(p => p.Accuracy);
                text.AppendLine($"| {level.Level} | {level.ParameterCount:N0} | {level.Accuracy:0.00%} | " +
                                (best is null ? "none that small" : $"{best.Accuracy:0.00%} ({best.Trial}, {best.Level}, {best.ParameterCount:N0})") + " |");
            }
            text.AppendLine();
            text.AppendLine("| frontier point | trial | level | parameters | accuracy |");
            text.AppendLine("|---:|---:|---:|---:|---:|");
            int n = 0;
            foreach (var p in points)
                text.AppendLine($"| {++n} | {p.Trial} | {p.Level} | {p.ParameterCount:N0} | {p.Accuracy:0.00%} |");
            text.AppendLine();
        }
        if (r.Test is { } test)
            WriteTest(text, test);
        text.AppendLine("## Trials");
        text.AppendLine();
        text.AppendLine("| trial | status | epochs | learning rate | batch | weight decay | units | architecture | schedule | distillation | batches | fit s | mean accuracy |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---|---|---:|---|---:|---:|");
        foreach (var t in r.Trials)
            text.AppendLine($"| {t.Id} | {t.Status} | {t.Epochs} | {t.Options["learningRate"]:G3} | {t.Options["batchSize"]} | {t.Options["weightDecay"]:G3} | " +
                            $"{t.Options["numberOfUnits"]} | {t.Options["architecture"]} | {t.Options["learningRateSchedule"]} | " +
                            $"{t.Options["distillationWeight"]:G3} | {t.Options["batchOrder"]} | {t.FitSeconds:N1} | " +
                            (t.Levels.Count == 0 ? t.Message : $"{t.Levels.Average(l => l.Accuracy):0.00%}") + " |");
        text.AppendLine();
        text.AppendLine("Units 0 means one per task. " + string.Join(" ", r.Best.Select(b => $"Best by {b.Key}: trial {b.Value?.ToString() ?? "none"}.")));
        return text.ToString();
    }

    // Per task and default level size: the independent network of that size, the default options and the best tested
    // frontier point no larger, all on the test images, the mean over the seeds.
    private static void WriteTest(StringBuilder text, SweepTestReport test)
    {
        text.AppendLine($"## Test images, mean of seeds {string.Join(", ", test.Seeds)}");
        text.AppendLine();
        text.AppendLine("| task | level size (parameters) | independent | default options | swept frontier (trial, level, parameters) | frontier - independent |");
        text.AppendLine("|---|---:|---:|---:|---|---:|");
        var defaults = test.Trials.FirstOrDefault(t => t.Id == 0);
        foreach (var independent in test.Independent.OrderBy(l => l.Task == "" ? 0 : 1).ThenBy(l => l.Task).ThenBy(l => l.Level))
        {
            var points = test.Frontier.GetValueOrDefault(independent.Task) ?? Array.Empty<SweepFrontierPoint>();
            var best = points.Where(p => p.ParameterCount <= independent.ParameterCount).MaxBy(p => p.Accuracy);
            var own = defaults?.Levels.FirstOrDefault(l => l.Task == independent.Task && l.Level == independent.Level);
            text.AppendLine($"| {independent.Task} | {independent.ParameterCount:N0} (level {independent.Level}) | {independent.Accuracy:0.00%} | " +
                            (own is null ? "-" : $"{own.Accuracy:0.00%}") + " | " +
                            (best is null ? "none that small" : $"{best.Accuracy:0.00%} ({best.Trial}, {best.Level}, {best.ParameterCount:N0})") + " | " +
                            (best is null ? "-" : $"{(best.Accuracy - independent.Accuracy) * 100:+0.00;-0.00} points") + " |");
        }
        text.AppendLine();
    }
}
