using Microsoft.ML.Dvn.Model;
namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>Accuracy and log-loss of every (task, level) of a model, each row forced through every level of its task.</summary>
internal static class LevelEvaluator
{
    private const double ProbabilityFloor = 1e-15;

    public static IReadOnlyList<DvnLevelMetrics> Evaluate(DvnModel model, IDataView data, string labelColumn)
    {
        var bound = new BoundSchema(model, data.Schema);
        var label = InputSchema.Key(data.Schema, labelColumn, "label");
        // A label the training data did not have arrives as a missing key (MapValueToKey fitted without it): such a
        // row counts as predicted wrong, with the floor's log-loss, rather than failing the whole evaluation.
        var rows = TaskRows.Read(data, bound.Features, bound.Task, label, model.Tasks.Count, keepMissingLabels: true);
        for (int key = 1; key <= model.Tasks.Count; key++)
            if (rows.RowCount(key) > 0 && model.NetworkTask((ulong)key) == 0)
                throw new InvalidOperationException(
                    $"The data has {rows.RowCount(key)} rows of task {model.DescribeTask((ulong)key)}, which this model does not serve; " +
                    $"it serves {model.DescribeServedTasks()}.");

        var results = new List<DvnLevelMetrics>();
        for (int networkTask = 1; networkTask <= model.Served.Count; networkTask++)
        {
            int key = model.Task(networkTask).Key;
            if (rows.RowCount(key) == 0)
                continue;
            for (int level = 1; level <= model.Network.NumberOfLevels; level++)
                results.Add(EvaluateLevel(model, rows, key, networkTask, level));
        }
        return results;
    }

    private static DvnLevelMetrics EvaluateLevel(DvnModel model, TaskRows rows, int key, int networkTask, int level)
    {
        var classes = model.Task(networkTask).Classes;
        var descriptor = model.Task(networkTask).Levels[level - 1];
        var classOfKey = classes.Select((k, c) => (k, c)).ToDictionary(p => (ulong)p.k, p => p.c);
        var labels = rows.Labels(key);
        int count = labels.Count, length = rows.FeatureLength, batchSize = model.Prediction.BatchSize;
        var buffer = new float[checked(batchSize * length)];
        var probabilities = new float[checked(batchSize * model.Predictor.MaxClasses)];
        var tasks = Enumerable.Repeat(networkTask, batchSize).ToArray();
        var levels = Enumerable.Repeat(level, batchSize).ToArray();
        long correct = 0;
        double logLoss = 0;
        var perLabel = new Dictionary<ulong, (long Rows, long Correct)>();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            rows.Features(key).Slice(checked(start * length), checked(n * length)).CopyTo(buffer);
            model.Predictor.Predict(buffer, tasks.AsSpan(0, n), levels.AsSpan(0, n), probabilities);
            for (int i = 0; i < n; i++)
            {
                var p = probabilities.AsSpan(i * model.Predictor.MaxClasses, classes.Length);
                foreach (float value in p)
                    if (!float.IsFinite(value))
                        throw PredictionBatch.NonFiniteScore(model, $"row {start + i} of the task's rows", networkTask, descriptor.Level, value);
                int best = 0;
                for (int c = 1; c < p.Length; c++)
                    if (p[c] > p[best])
                        best = c;
                ulong truth = labels[start + i];
                bool right = classes[best] == truth;
                double pTrue = classOfKey.TryGetValue(truth, out int trueClass) ? p[trueClass] : 0;
                logLoss -= Math.Log(Math.Max(pTrue, ProbabilityFloor));
                correct += right ? 1 : 0;
                var tally = perLabel.GetValueOrDefault(truth);
                perLabel[truth] = (tally.Rows + 1, tally.Correct + (right ? 1 : 0));
            }
        }
        return new DvnLevelMetrics(key, descriptor.Level, descriptor.ParameterCount, (double)correct / count,
            perLabel.Values.Average(t => (double)t.Correct / t.Rows), logLoss / count, count);
    }
}
