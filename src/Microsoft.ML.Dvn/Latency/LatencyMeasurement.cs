using System.Diagnostics;
using Microsoft.ML.Dvn.Model;

namespace Microsoft.ML.Dvn.Latency;

/// <summary>
/// Times every (task, level) of a model on sample rows, one row alone and a batch, over warm-up and counted rounds,
/// and reports a percentile of the counted rounds. What is timed is the prediction itself as Transform and a
/// PredictionEngine run it (features to tensor, the level's forward pass, probabilities back), not ML.NET's row plumbing;
/// the transformer reads the sample rows' features before.
/// </summary>
internal static class LatencyMeasurement
{
    /// <param name="model">The model to time.</param>
    /// <param name="features">Sample feature vectors, one after another (at least one); repeated to fill a batch.</param>
    /// <param name="options">Rounds, batch size and percentile.</param>
    public static DvnLatencyTable Measure(DvnModel model, float[] features, DvnLatencyOptions options)
    {
        int inputs = model.Network.InputSize, rows = features.Length / inputs;
        var batch = new float[options.BatchSize * inputs];
        for (int r = 0; r < options.BatchSize; r++)
            Array.Copy(features, r % rows * inputs, batch, r * inputs, inputs);
        var single = new float[inputs];
        var probabilities = new float[options.BatchSize * model.Predictor.MaxClasses];
        var pairs = model.Served.SelectMany((task, i) => task.Levels.Select((_, j) => (NetworkTask: i + 1, Level: j + 1))).ToArray();
        var singleTimes = pairs.Select(_ => new List<double>()).ToArray();
        var batchTimes = pairs.Select(_ => new List<double>()).ToArray();

        // Rounds go over every (task, level) in turn, so that a slow moment of the machine spreads over all of them.
        for (int round = 0; round < options.WarmupRounds + options.Rounds; round++)
            for (int p = 0; p < pairs.Length; p++)
            {
                var (task, level) = pairs[p];
                Array.Copy(features, (round + p) % rows * inputs, single, 0, inputs);
                double one = Time(() => model.Predictor.Predict(single, new[] { task }, new[] { level }, probabilities));
                var tasks = Enumerable.Repeat(task, options.BatchSize).ToArray();
                var levels = Enumerable.Repeat(level, options.BatchSize).ToArray();
                double many = Time(() => model.Predictor.Predict(batch, tasks, levels, probabilities));
                if (round >= options.WarmupRounds)
                {
                    singleTimes[p].Add(one);
                    batchTimes[p].Add(many);
                }
            }

        var entries = pairs.Select((pair, p) => new DvnLevelLatency(model.Task(pair.NetworkTask).Key,
            model.Task(pair.NetworkTask).Levels[pair.Level - 1].Level,
            Percentile(singleTimes[p], options.Percentile), Percentile(batchTimes[p], options.Percentile), options.BatchSize));
        return new DvnLatencyTable(DvnMachine.Current(), DateTimeOffset.UtcNow, options.Percentile, options.Rounds, entries);
    }

    /// <summary>Nearest rank: the smallest time that at least <paramref name="percentile"/> % of the times do not exceed.</summary>
    public static double Percentile(List<double> times, double percentile)
    {
        var sorted = times.Order().ToArray();
        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private static double Time(Action predict)
    {
        long start = Stopwatch.GetTimestamp();
        predict();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
}
