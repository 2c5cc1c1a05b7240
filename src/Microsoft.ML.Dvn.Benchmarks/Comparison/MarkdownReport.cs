using System.Globalization;
using System.Text;

namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>The benchmark reports as markdown tables, for docs and reviews.</summary>
internal static class MarkdownReport
{
    public static string Write(BenchmarkReport r)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {r.Scenario}, {r.Architecture.ToUpperInvariant()}, {Wording.Count(r.Epochs, "epoch")}, seed {r.Seed}");
        text.AppendLine();
        text.AppendLine($"Training images per task: {Rows(r.TrainRows)}; test images: {Rows(r.TestRows)}. {r.Machine.Cores} cores, " +
                        $"{r.Machine.Os}, TorchSharp {r.Machine.TorchSharp}; convolutions with oneDNN " +
                        (r.Convolution.Onednn ? $"on, channels padded to multiples of {r.Convolution.Padding}" : "off") +
                        $". Training: {r.Method}; tasks along the units: {string.Join(", ", r.TasksAlongUnits)}.");
        text.AppendLine();
        text.AppendLine("## Test accuracy and parameters read per prediction");
        text.AppendLine();
        text.AppendLine("| task | level | DVN parameters | DVN | independent parameters | independent | shared multi-head |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var d in r.Dvn.Levels)
        {
            var independent = r.Independent.Levels.Single(l => l.Task == d.Task && l.Level == d.Level);
            var shared = r.SharedMultiHead?.Levels.SingleOrDefault(l => l.Task == d.Task && l.Level == d.Level);
            text.AppendLine($"| {d.Task} | {d.Level} | {d.Parameters:N0} | {d.Accuracy:0.00%} | {independent.Parameters:N0} | {independent.Accuracy:0.00%} | " +
                            (shared is null ? "|" : $"{shared.Accuracy:0.00%} ({shared.Parameters:N0}) |"));
        }
        text.AppendLine();
        text.AppendLine($"| | DVN | independent ({r.Independent.Levels.Count} networks) | shared multi-head |");
        text.AppendLine("|---|---:|---:|---:|");
        text.AppendLine($"| stored parameters | {r.Dvn.StoredParameters:N0} | {r.Independent.StoredParameters:N0} | {r.SharedMultiHead?.StoredParameters.ToString("N0") ?? "not run"} |");
        text.AppendLine($"| training seconds | {r.Dvn.TrainSeconds:N1} | {r.Independent.TrainSeconds:N1} | {r.SharedMultiHead?.TrainSeconds.ToString("N1") ?? "not run"} |");
        if (r.Mlnet.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## ML.NET trainers (default options, one model per task)");
            text.AppendLine();
            text.AppendLine("| trainer | " + string.Join(" | ", r.Tasks) + $" | training seconds ({r.Tasks.Count} models) | model bytes ({r.Tasks.Count} models) |");
            text.AppendLine("|---|" + string.Concat(r.Tasks.Select(_ => "---:|")) + "---:|---:|");
            foreach (var trainer in r.Mlnet.GroupBy(m => m.Trainer))
                text.AppendLine($"| {trainer.Key} | " + string.Join(" | ", r.Tasks.Select(t => $"{trainer.Single(m => m.Task == t).Accuracy:0.00%}")) +
                                $" | {trainer.Sum(m => m.TrainSeconds):N1} | {trainer.Sum(m => m.ModelBytes):N0} |");
        }
        if (r.Inference.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## DVN prediction speed");
            text.AppendLine();
            text.AppendLine("| task | level | ML.NET Transform rows/s | raw TorchSharp rows/s | ML.NET / raw | PredictionEngine µs/row | raw TorchSharp µs/row | PredictionEngine / raw |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var i in r.Inference)
                text.AppendLine($"| {i.Task} | {i.Level} | {i.BatchRowsPerSecond:N0} | {i.RawTorchRowsPerSecond:N0} | " +
                                $"{i.BatchRowsPerSecond / i.RawTorchRowsPerSecond:0%} | {i.SingleRowMicroseconds:N0} | {i.RawSingleRowMicroseconds:N0} | " +
                                $"{i.SingleRowMicroseconds / i.RawSingleRowMicroseconds:0.00} |");
        }
        return text.ToString();
    }

    public static string Write(SeedSummary s)
    {
        var text = new StringBuilder();
        var first = s.Runs[0];
        text.AppendLine($"# {s.Scenario}, {s.Architecture.ToUpperInvariant()}, {Wording.Count(s.Epochs, "epoch")}, seeds {string.Join(", ", s.Seeds)}");
        text.AppendLine();
        text.AppendLine($"Training images per task: {Rows(first.TrainRows)}; test images: {Rows(first.TestRows)}. {s.Machine.Cores} cores, " +
                        $"{s.Machine.Os}, TorchSharp {s.Machine.TorchSharp}. Training: {s.Method}.");
        text.AppendLine();
        text.AppendLine("Test accuracy, mean ± standard deviation over the seeds; DVN - independent in points, paired by seed, with its 95% interval:");
        text.AppendLine();
        text.AppendLine("| task | level | parameters | DVN | independent | DVN - independent | 95% interval |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var l in s.Levels)
            text.AppendLine($"| {l.Task} | {l.Level} | {l.Parameters:N0} | {100 * l.Dvn.Mean:0.00} ± {100 * l.Dvn.StandardDeviation:0.00} | " +
                            $"{100 * l.Independent.Mean:0.00} ± {100 * l.Independent.StandardDeviation:0.00} | {Points(l.Difference.Mean)} | " +
                            $"[{Points(l.Difference.Low)}, {Points(l.Difference.High)}] |");
        text.AppendLine($"| **mean** | | | | | **{Points(s.MeanDifference.Mean)}** | [{Points(s.MeanDifference.Low)}, {Points(s.MeanDifference.High)}] |");
        text.AppendLine();
        int behind = s.Levels.Count(l => l.Difference.Mean < 0);
        text.AppendLine($"DVN behind at {behind} of {s.Levels.Count} (task, level) on the mean; stored parameters: DVN {first.Dvn.StoredParameters:N0}, " +
                        $"independent {first.Independent.StoredParameters:N0} ({(double)first.Dvn.StoredParameters / first.Independent.StoredParameters:0.00} of them). " +
                        "Tasks along the units by seed: " + string.Join("; ", s.Runs.Select(r => $"{r.Seed}: {string.Join(", ", r.TasksAlongUnits)}")) + ".");
        text.AppendLine();
        text.AppendLine("Every seed, DVN / independent accuracy (%):");
        text.AppendLine();
        text.AppendLine("| task | level | " + string.Join(" | ", s.Seeds.Select(seed => $"seed {seed}")) + " |");
        text.AppendLine("|---|---:|" + string.Concat(s.Seeds.Select(_ => "---:|")));
        foreach (var l in s.Levels)
            text.AppendLine($"| {l.Task} | {l.Level} | " + string.Join(" | ", s.Runs.Select(r =>
                $"{100 * r.Dvn.Levels.Single(d => d.Task == l.Task && d.Level == l.Level).Accuracy:0.00} / " +
                $"{100 * r.Independent.Levels.Single(i => i.Task == l.Task && i.Level == l.Level).Accuracy:0.00}")) + " |");
        text.AppendLine($"| training seconds | | " + string.Join(" | ", s.Runs.Select(r => $"{r.Dvn.TrainSeconds:N0} / {r.Independent.TrainSeconds:N0}")) + " |");
        return text.ToString();
    }

    // A difference in points with its sign; rounded first, so that -0.001 reads 0.00, not -0.00.
    private static string Points(double value) => (Math.Round(value, 2) + 0.0).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string Rows(IReadOnlyDictionary<string, int> rows) => string.Join(", ", rows.Select(p => $"{p.Key} {p.Value:N0}"));
}
