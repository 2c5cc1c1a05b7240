using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Dvn.Benchmarks.Soak;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Benchmarks.Streaming;

/// <summary>
/// One fit from a binary file, in a process of its own (the peak resident memory is the process's): the time of Fit,
/// the peak resident memory (VmHWM) right after it, and optionally the top level's test accuracy of every task.
/// Printed as one <see cref="Prefix"/> line that <see cref="Parse"/> reads back.
/// </summary>
internal sealed record MeasuredFit(string Mode, long Rows, double Seconds, long PeakBytes, IReadOnlyList<double> Accuracy)
{
    public const string Prefix = "MEASURED ";

    public static MeasuredFit Run(string file, string data, DvnTrainingData mode, int epochs, int seed, int bufferRows, bool evaluate)
    {
        var ml = new MLContext(seed);
        var rows = ml.Data.LoadFromBinary(file);
        var tasks = FmnistThreeTasks.Tasks;
        var labels = LargeDataFile.LabelsOf(file);
        var options = new DvnEstimator.Options
        {
            Architecture = Architectures.Full(Architectures.Mlp),
            NumberOfEpochs = epochs,
            Seed = seed,
            TrainingData = mode,
            ShuffleBufferRows = bufferRows,
        };
        var clock = Stopwatch.StartNew();
        var pipeline = new DvnPipeline(DvnPipeline.Estimator(ml, tasks, labels, options).Fit(rows));
        double seconds = clock.Elapsed.TotalSeconds;
        long peak = ResidentMemory.PeakBytes();
        var accuracy = new List<double>();
        if (evaluate)
        {
            var scenario = DataSource.Load(data);
            var test = ml.Data.LoadFromEnumerable(tasks.SelectMany(t => scenario.TestRows(t, limit: null)));
            var levels = pipeline.Dvn.EvaluateLevels(pipeline.Prepare(test));
            accuracy.AddRange(Enumerable.Range(1, tasks.Count).Select(t => levels.Where(l => l.Task == t).MaxBy(l => l.Level)!.MicroAccuracy));
        }
        return new MeasuredFit(mode.ToString(), pipeline.Dvn.Training.RowsPerTask.Sum(), seconds, peak, accuracy);
    }

    public override string ToString() => Prefix + string.Join(' ', Mode, Rows, Seconds.ToString("R", CultureInfo.InvariantCulture),
        PeakBytes, string.Join(',', Accuracy.Select(a => a.ToString("R", CultureInfo.InvariantCulture))));

    public static MeasuredFit Parse(string line)
    {
        var parts = line[Prefix.Length..].Split(' ');
        return new MeasuredFit(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture),
            parts.Length > 4 && parts[4].Length > 0 ? parts[4].Split(',').Select(a => double.Parse(a, CultureInfo.InvariantCulture)).ToArray() : Array.Empty<double>());
    }
}
