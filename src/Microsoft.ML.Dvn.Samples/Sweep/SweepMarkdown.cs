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
        text.AppendLine("## Trials");
        text.AppendLine();
        text.AppendLine("| trial | status | epochs | learning rate | batch | weight decay | units | architecture | fit s | mean accuracy |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var t in r.Trials)
            text.AppendLine($"| {t.Id} | {t.Status} | {t.Epochs} | {t.Options["learningRate"]:G3} | {t.Options["batchSize"]} | {t.Options["weightDecay"]:G3} | " +
                            $"{t.Options["numberOfUnits"]} | {t.Options["architecture"]} | {t.FitSeconds:N1} | " +
                            (t.Levels.Count == 0 ? t.Message : $"{t.Levels.Average(l => l.Accuracy):0.00%}") + " |");
        text.AppendLine();
        text.AppendLine("Units 0 means one per task (3). " + string.Join(" ", r.Best.Select(b => $"Best by {b.Key}: trial {b.Value?.ToString() ?? "none"}.")));
        return text.ToString();
    }
}
