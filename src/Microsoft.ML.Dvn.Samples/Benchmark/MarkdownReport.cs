using System.Text;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Benchmark;

/// <summary>The benchmark report as markdown tables, for docs and reviews.</summary>
internal static class MarkdownReport
{
    public static void Save(BenchmarkReport r, string path) => File.WriteAllText(path, Write(r));

    public static string Write(BenchmarkReport r)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {r.Scenario}, {r.Architecture.ToUpperInvariant()}, {Wording.Count(r.Epochs, "epoch")}, seed {r.Seed}");
        text.AppendLine();
        text.AppendLine($"{r.TrainRowsPerTask:N0} training and {r.TestRowsPerTask:N0} test images per task; " +
                        $"{r.Machine.Cores} cores, {r.Machine.Os}, TorchSharp {r.Machine.TorchSharp}; convolutions with oneDNN " +
                        (r.Convolution.Onednn ? $"on, channels padded to multiples of {r.Convolution.Padding}." : "off."));
        text.AppendLine();
        text.AppendLine("## Test accuracy and parameters read per prediction");
        text.AppendLine();
        text.AppendLine("| task | level | DVN parameters | DVN | independent parameters | independent | shared multi-head |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var d in r.Dvn.Levels)
        {
            var independent = r.Independent.Levels.Single(l => l.Task == d.Task && l.Level == d.Level);
            var shared = r.SharedMultiHead.Levels.SingleOrDefault(l => l.Task == d.Task && l.Level == d.Level);
            text.AppendLine($"| {d.Task} | {d.Level} | {d.Parameters:N0} | {d.Accuracy:0.00%} | {independent.Parameters:N0} | {independent.Accuracy:0.00%} | " +
                            (shared is null ? "|" : $"{shared.Accuracy:0.00%} ({shared.Parameters:N0}) |"));
        }
        text.AppendLine();
        text.AppendLine("| | DVN | independent (9 networks) | shared multi-head |");
        text.AppendLine("|---|---:|---:|---:|");
        text.AppendLine($"| stored parameters | {r.Dvn.StoredParameters:N0} | {r.Independent.StoredParameters:N0} | {r.SharedMultiHead.StoredParameters:N0} |");
        text.AppendLine($"| training seconds | {r.Dvn.TrainSeconds:N1} | {r.Independent.TrainSeconds:N1} | {r.SharedMultiHead.TrainSeconds:N1} |");
        text.AppendLine();
        text.AppendLine("## ML.NET trainers (default options, one model per task)");
        text.AppendLine();
        text.AppendLine("| trainer | " + string.Join(" | ", Scenario.TaskNames) + " | training seconds (3 models) | model bytes (3 models) |");
        text.AppendLine("|---|" + string.Concat(Scenario.TaskNames.Select(_ => "---:|")) + "---:|---:|");
        foreach (var trainer in r.Mlnet.GroupBy(m => m.Trainer))
            text.AppendLine($"| {trainer.Key} | " + string.Join(" | ", Scenario.TaskNames.Select(t => $"{trainer.Single(m => m.Task == t).Accuracy:0.00%}")) +
                            $" | {trainer.Sum(m => m.TrainSeconds):N1} | {trainer.Sum(m => m.ModelBytes):N0} |");
        text.AppendLine();
        text.AppendLine("## DVN prediction speed");
        text.AppendLine();
        text.AppendLine("| task | level | ML.NET Transform rows/s | raw TorchSharp rows/s | ML.NET / raw | PredictionEngine µs/row | raw TorchSharp µs/row | PredictionEngine / raw |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var i in r.Inference)
            text.AppendLine($"| {i.Task} | {i.Level} | {i.BatchRowsPerSecond:N0} | {i.RawTorchRowsPerSecond:N0} | " +
                            $"{i.BatchRowsPerSecond / i.RawTorchRowsPerSecond:0%} | {i.SingleRowMicroseconds:N0} | {i.RawSingleRowMicroseconds:N0} | " +
                            $"{i.SingleRowMicroseconds / i.RawSingleRowMicroseconds:0.00} |");
        return text.ToString();
    }
}
