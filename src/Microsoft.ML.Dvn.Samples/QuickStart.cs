using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples;

/// <summary>The whole life of a DVN in one page: train, evaluate every level, predict under budgets, save, load, extract.</summary>
internal static class QuickStart
{
    public const string Usage = "quickstart\n    The whole flow on generated data in under 60 lines (QuickStart.cs): read it first.";

    public sealed class Row
    {
        [VectorType(4)] public float[] Features { get; set; } = Array.Empty<float>();
        public string Label { get; set; } = "";
        public string Task { get; set; } = "";
        public double MemoryBudget { get; set; } = double.NaN; // parameters; NaN = no limit
    }

    public static void Run()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        // Two tasks on the same kind of features: "sign" (is x0 + x1 positive?) and "quadrant" (of x2, x3).
        var rows = Enumerable.Range(0, 2000).Select(i =>
        {
            var x = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return i % 2 == 0
                ? new Row { Features = x, Task = "sign", Label = x[0] + x[1] > 0 ? "sign:+" : "sign:-" }
                : new Row { Features = x, Task = "quadrant", Label = $"quadrant:{(x[2] > 0 ? 1 : 0) + (x[3] > 0 ? 2 : 0)}" };
        }).ToList();
        var data = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.25, seed: 1);

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Task")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.Dvn(new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(32, 32), NumberOfEpochs = 20 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data.TrainSet);

        var dvn = model.GetDvnTransformer();
        foreach (var level in model.EvaluateDvnLevels(data.TestSet))
            Console.WriteLine($"{dvn.GetTaskName(level.Task),-8} level {level.Level}: {level.ParameterCount,5} parameters, accuracy {level.MicroAccuracy:P1}");

        // Each row's budget picks the largest level of its task that fits.
        using var engine = ml.Model.CreatePredictionEngine<Row, TaskPrediction>(model);
        var row = rows[1];
        foreach (var budget in dvn.GetLevels(task: 2).Select(l => (double)l.ParameterCount))
        {
            var prediction = engine.Predict(new Row { Features = row.Features, Task = row.Task, MemoryBudget = budget });
            Console.WriteLine($"budget {budget,5}: level {prediction.Level}, predicted {prediction.PredictedLabel} (true {row.Label})");
        }

        ml.Model.Save(model, data.TrainSet.Schema, "quickstart.zip");
        var loaded = new MLContext().Model.Load("quickstart.zip", out _);
        Console.WriteLine($"saved and loaded: {new FileInfo("quickstart.zip").Length:N0} bytes, {loaded.GetDvnTransformer().StoredParameterCount:N0} stored parameters");

        var small = dvn.ExtractSubnetwork(task: 2, level: 1); // only what quadrant's level 1 reads
        Console.WriteLine($"extracted quadrant level 1: {small.StoredParameterCount:N0} stored parameters");
    }
}
