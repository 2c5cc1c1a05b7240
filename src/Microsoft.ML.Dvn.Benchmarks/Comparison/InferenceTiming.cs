using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Samples.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Benchmarks.Comparison;

/// <summary>
/// How fast every (task, level) of a fitted DVN predicts, on the task's test rows with budgets that select the level:
/// the DVN transformer's Transform (batches), the same sub-network called directly in TorchSharp right after (so the
/// ratio shows what the ML.NET path costs), and the whole pipeline one row at a time through a PredictionEngine, as
/// an application would call it, against the sub-network called directly on one row. Every measurement warms up on
/// some rows first, so that one-off costs (first allocations, lazy initialization) stay out.
/// </summary>
internal static class InferenceTiming
{
    public static IReadOnlyList<InferenceResult> Measure(DvnPipeline pipeline, BenchmarkData data, BenchmarkPlan plan)
    {
        var ml = new MLContext(plan.Seed);
        var levels = data.Scenario.TaskNames.SelectMany(task => pipeline.Dvn.GetLevels(data.Scenario.TaskKey(task)).Select(level => (task, level))).ToArray();
        InferenceResult Time(string task, DvnLevelInfo level)
        {
            var rows = data.Test[task].Select(r => r.WithBudget(level.ParameterCount)).ToList();
            double batch = BatchRowsPerSecond(ml, pipeline, rows), raw = RawTorchRowsPerSecond(pipeline.Dvn, level, rows);
            var (single, rawSingle) = SingleRowMicroseconds(ml, pipeline, level, rows, plan.SingleRows);
            return new InferenceResult(task, level.Level, batch, raw, single, rawSingle);
        }

        // The .NET JIT optimizes hot code only after it has run for a while: a first, discarded round keeps the first
        // (task, level) from paying for it.
        Time(levels[0].task, levels[0].level);
        var results = new List<InferenceResult>();
        foreach (var (task, level) in levels)
        {
            var result = Time(task, level);
            Console.WriteLine($"  {task} L{level.Level}: ML.NET {result.BatchRowsPerSecond:N0} rows/s, TorchSharp {result.RawTorchRowsPerSecond:N0} rows/s, " +
                              $"one row {result.SingleRowMicroseconds:N0} µs (TorchSharp {result.RawSingleRowMicroseconds:N0} µs)");
            results.Add(result);
        }
        return results;
    }

    // Times the DVN transformer alone: its input (Task and Label already keys) is cached in memory first, so that
    // reading the rows and mapping keys stay out. Transform is lazy: rows are predicted as the cursor reads Score.
    private static double BatchRowsPerSecond(MLContext ml, DvnPipeline pipeline, List<TaskRow> rows)
    {
        var input = ml.Data.Cache(pipeline.Prepare(ml.Data.LoadFromEnumerable(rows)));
        ReadColumn<VBuffer<float>>(input, "Features");
        ReadColumn<VBuffer<float>>(pipeline.Dvn.Transform(ml.Data.TakeRows(input, 1024)), "Score");
        return RowsPerSecond(rows.Count, () => ReadColumn<VBuffer<float>>(pipeline.Dvn.Transform(input), "Score"));
    }

    // Passes over all rows are repeated for at least a second, and the fastest counts: on a shared machine, the
    // slower passes measure the other work more than this one.
    private static double RowsPerSecond(int rows, Action pass)
    {
        var total = Stopwatch.StartNew();
        double fastest = double.MaxValue;
        do
        {
            var watch = Stopwatch.StartNew();
            pass();
            fastest = Math.Min(fastest, watch.Elapsed.TotalSeconds);
        }
        while (total.Elapsed.TotalSeconds < 1);
        return rows / fastest;
    }

    private static void ReadColumn<T>(IDataView data, string name)
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
            getter(ref value);
    }

    // The library's internals (InternalsVisibleTo): the network that the transformer runs, called as the transformer
    // does, in batches of its PredictionBatchSize, with softmax and the copy of the probabilities back to managed memory.
    private static double RawTorchRowsPerSecond(DvnTransformer dvn, DvnLevelInfo level, List<TaskRow> rows)
    {
        var model = dvn.Model;
        int networkTask = model.NetworkTask((ulong)level.Task);
        int batchSize = model.Prediction.BatchSize, inputs = model.Network.InputSize;
        var buffer = new float[batchSize * inputs];
        using var noGradients = no_grad();

        void Run(int rowCount)
        {
            for (int start = 0; start < rowCount; start += batchSize)
            {
                int count = Math.Min(batchSize, rowCount - start);
                for (int r = 0; r < count; r++)
                    rows[start + r].Features.CopyTo(buffer, r * inputs);
                using var scope = NewDisposeScope();
                var batch = tensor(buffer, new long[] { batchSize, inputs }).narrow(0, 0, count).to(model.Device);
                var probabilities = nn.functional.softmax(model.Network.Forward(batch, networkTask, level.Level), 1).cpu();
                _ = probabilities.data<float>().ToArray();
            }
        }

        Run(Math.Min(rows.Count, 1024));
        return RowsPerSecond(rows.Count, () => Run(rows.Count));
    }

    // One row at a time: the whole pipeline through a PredictionEngine, and the same sub-network called directly on the
    // row in TorchSharp as an application would (no gradients, one dispose scope a row, softmax and the copy back to
    // managed memory). Rounds of both alternate for at least a second and the fastest round of each counts, so that
    // both see the same machine.
    private static (double Engine, double Raw) SingleRowMicroseconds(MLContext ml, DvnPipeline pipeline, DvnLevelInfo level,
        List<TaskRow> rows, int count)
    {
        using var engine = ml.Model.CreatePredictionEngine<TaskRow, TaskPrediction>(pipeline.Model);
        var prediction = new TaskPrediction();
        void Engine(int i) => engine.Predict(rows[i % rows.Count], ref prediction);

        var model = pipeline.Dvn.Model;
        int networkTask = model.NetworkTask((ulong)level.Task), inputs = model.Network.InputSize;
        void Raw(int i)
        {
            using var scope = NewDisposeScope();
            using var noGradients = no_grad();
            var row = tensor(rows[i % rows.Count].Features, new long[] { 1, inputs }).to(model.Device);
            _ = nn.functional.softmax(model.Network.Forward(row, networkTask, level.Level), 1).cpu().data<float>().ToArray();
        }

        for (int i = 0; i < Math.Min(count, 50); i++)
        {
            Engine(i);
            Raw(i);
        }
        if (prediction.Level != level.Level)
            throw new InvalidOperationException($"A budget of {rows[0].MemoryBudget} selected level {prediction.Level}, not {level.Level}.");
        double engineFastest = double.MaxValue, rawFastest = double.MaxValue;
        var total = Stopwatch.StartNew();
        do
        {
            engineFastest = Math.Min(engineFastest, Microseconds(Engine, count));
            rawFastest = Math.Min(rawFastest, Microseconds(Raw, count));
        }
        while (total.Elapsed.TotalSeconds < 1);
        return (engineFastest, rawFastest);
    }

    private static double Microseconds(Action<int> predict, int count)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
            predict(i);
        return watch.Elapsed.TotalMicroseconds / count;
    }
}
