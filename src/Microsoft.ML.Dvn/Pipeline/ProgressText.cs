namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>One log line per epoch: time spent and left, then loss and accuracy of every (task, level).</summary>
internal static class ProgressText
{
    public static string Describe(DvnEpochReport report)
    {
        var levels = report.Levels.Select(l =>
            $"t{l.Task}/L{l.Level} loss {l.TrainingLoss:F3} acc {l.TrainingAccuracy:P1}" +
            (l.ValidationAccuracy is double v ? $" val {v:P1}" : ""));
        return $"Epoch {report.Epoch}/{report.NumberOfEpochs} ({report.Elapsed.TotalSeconds:F1} s, about " +
               $"{report.EstimatedRemaining.TotalSeconds:F0} s left): {string.Join("; ", levels)}";
    }
}
