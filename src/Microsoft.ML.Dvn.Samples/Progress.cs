namespace Microsoft.ML.Dvn.Samples;

/// <summary>Console progress of long work: one block per training epoch, one line per finished step.</summary>
internal static class Progress
{
    /// <summary>
    /// An <see cref="DvnEstimator.Options.EpochCompleted"/> handler that prints the epoch, the time spent and left,
    /// then a line per task with the loss and accuracy of each of its levels.
    /// </summary>
    /// <param name="title">What is training, e.g. "DVN" or "independent fine L2".</param>
    /// <param name="taskNames">The trained tasks by key (task key t is taskNames[t - 1]).</param>
    public static Action<DvnEpochReport> Epochs(string title, IReadOnlyList<string> taskNames) => report =>
    {
        Console.WriteLine($"  [{title}] epoch {report.Epoch}/{report.NumberOfEpochs}: {Duration(report.Elapsed)} spent, " +
                          $"about {Duration(report.EstimatedRemaining)} left");
        foreach (var task in report.Levels.GroupBy(l => l.Task))
            Console.WriteLine($"      {taskNames[task.Key - 1],-9} " + string.Join("   ", task.Select(l =>
                $"L{l.Level} loss {l.TrainingLoss:F3} acc {l.TrainingAccuracy:0.0%}" +
                (l.ValidationAccuracy is double v ? $" val {v:0.0%}" : ""))));
    };

    /// <summary>Runs <paramref name="work"/>, printing what it is before and how long it took after.</summary>
    public static T Step<T>(string what, Func<T> work)
    {
        Console.WriteLine($"{what} ...");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = work();
        Console.WriteLine($"{what}: done in {Duration(watch.Elapsed)}.");
        return result;
    }

    public static string Duration(TimeSpan time) => time.TotalSeconds < 60
        ? $"{time.TotalSeconds:F1} s"
        : $"{(int)time.TotalMinutes} min {time.Seconds:D2} s";
}
