using System.Diagnostics;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>
/// What an ML.NET user has today: one first-party multiclass trainer per task, with default options, on the same
/// training and test rows as the networks.
/// </summary>
internal static class MlNetTrainers
{
    private static readonly (string Name, Func<MLContext, IEstimator<ITransformer>> Create)[] Trainers =
    {
        ("LbfgsMaximumEntropy", ml => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()),
        ("LightGbm", ml => ml.MulticlassClassification.Trainers.LightGbm()),
    };

    public static IReadOnlyList<MlNetResult> Run(BenchmarkData data, int seed)
    {
        var results = new List<MlNetResult>();
        foreach (string task in data.Scenario.TaskNames)
            foreach (var (name, create) in Trainers)
                results.Add(Progress.Step($"Training {name} on {task}", () => Train(data, task, name, create, seed)));
        return results;
    }

    private static MlNetResult Train(BenchmarkData data, string task, string name, Func<MLContext, IEstimator<ITransformer>> create, int seed)
    {
        var ml = new MLContext(seed);
        // The cache checkpoint is the usual ML.NET advice for trainers that pass over the data many times.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").AppendCacheCheckpoint(ml).Append(create(ml));
        var train = ml.Data.LoadFromEnumerable(data.Train[task]);
        var watch = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double seconds = watch.Elapsed.TotalSeconds;
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(data.Test[task])));

        string path = Path.Combine(Path.GetTempPath(), $"dvn-benchmark-{Environment.ProcessId}-{name}-{task}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            Console.WriteLine($"  {name} on {task}: accuracy {metrics.MicroAccuracy:0.00%}");
            return new MlNetResult(name, task, metrics.MicroAccuracy, seconds, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
