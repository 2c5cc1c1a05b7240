using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Samples.Commands;

/// <summary>
/// A long prediction run that watches the process's memory: many Transform passes over a batch of test rows, then
/// many single-row predictions through a PredictionEngine, every task and level in turn. It prints the resident set
/// size (RSS) and its peak as it goes, and how much RSS grew after warm-up. Run it with and without
/// DVN_MALLOC_TUNING=0 to see what the library's allocator settings cost in memory (docs/benchmarks.md).
/// </summary>
internal static class SoakCommand
{
    public const string Usage =
        "soak [--model PATH] [--passes N] [--batch N] [--rows N] [--samples N]\n" +
        "    Loads a model saved by 'train' (default dvn-model.zip) and predicts for a long time: N Transform passes over\n" +
        "    a batch of test rows (defaults 1,000 passes of 1,000 rows), then N single-row predictions (default 1,000,000),\n" +
        "    cycling through every task and level. Prints memory (RSS) --samples times a phase (default 10) and its growth\n" +
        "    after warm-up. DVN_MALLOC_TUNING=0 runs it with glibc's default allocator thresholds.";

    public static void Run(Arguments args)
    {
        string modelPath = args.Text("model") ?? "dvn-model.zip";
        int passes = args.Integer("passes", minimum: 1) ?? 1_000;
        int batch = args.Integer("batch", minimum: 1) ?? 1_000;
        int singleRows = args.Integer("rows", minimum: 1) ?? 1_000_000;
        int samples = args.Integer("samples", minimum: 2) ?? 10;
        args.RejectUnknown();

        var info = ModelInfo.Load(modelPath);
        Console.WriteLine($"DVN process settings: {DvnRuntime.Initialize()}");
        var ml = new MLContext(seed: 1);
        var pipeline = DvnPipeline.Load(ml, modelPath);
        var rows = MixedRows(pipeline.Dvn, DataSource.Load(info.Data), batch);
        Console.WriteLine($"{modelPath} ({info.Architecture}, {info.Data}): {rows.Count:N0} test rows cycling through " +
                          $"{Scenario.TaskNames.Count} tasks x {pipeline.Dvn.GetLevels(1).Count} levels.");
        Console.WriteLine($"  {"phase",-12} {"done",12} {"RSS MiB",9} {"peak MiB",9} {"rows/s",9}");
        var memory = new List<(string Phase, long Rss)>();

        var input = ml.Data.LoadFromEnumerable(rows);
        Measure("Transform", passes, samples, memory, pass => ReadScores(pipeline.Model.Transform(input)), rows.Count);

        var engine = ml.Model.CreatePredictionEngine<TaskRow, TaskPrediction>(pipeline.Model);
        var output = new TaskPrediction();
        Measure("single row", singleRows, samples, memory, i => engine.Predict(rows[i % rows.Count], ref output), 1);

        foreach (var phase in memory.GroupBy(m => m.Phase))
        {
            // The first sample of a phase is its warm-up: buffers of every (task, level) are allocated by then.
            long warm = phase.First().Rss, last = phase.Last().Rss;
            Console.WriteLine($"{phase.Key}: RSS {Mib(warm):N0} MiB after warm-up, {Mib(last):N0} MiB at the end: " +
                              $"{100.0 * (last - warm) / warm:+0.0;-0.0} %.");
        }
        Console.WriteLine($"Peak RSS {Mib(Process.GetCurrentProcess().PeakWorkingSet64):N0} MiB.");
    }

    // Every task's test rows in turn, each row with the budget of one level of its task, levels in turn: every
    // (task, level) appears in every batch, as in a server with mixed requests.
    private static List<TaskRow> MixedRows(DvnTransformer dvn, Scenario scenario, int count)
    {
        var tasks = Scenario.TaskNames;
        var perTask = tasks.Select(t => scenario.TestRows(t, count / tasks.Count + 1)).ToArray();
        var budgets = tasks.Select(t => dvn.GetLevels(Scenario.TaskKey(t)).Select(l => (double)l.ParameterCount).ToArray()).ToArray();
        return Enumerable.Range(0, count)
            .Select(i => perTask[i % tasks.Count][i / tasks.Count].WithBudget(budgets[i % tasks.Count][i / tasks.Count % budgets[i % tasks.Count].Length]))
            .ToList();
    }

    private static void Measure(string phase, int steps, int samples, List<(string, long)> memory, Action<int> step, int rowsPerStep)
    {
        var watch = Stopwatch.StartNew();
        int every = Math.Max(1, steps / samples), sinceSample = 0;
        var sampleClock = Stopwatch.StartNew();
        for (int i = 1; i <= steps; i++)
        {
            step(i - 1);
            if (++sinceSample < every && i < steps)
                continue;
            var process = Process.GetCurrentProcess();
            memory.Add((phase, process.WorkingSet64));
            Console.WriteLine($"  {phase,-12} {i,12:N0} {Mib(process.WorkingSet64),9:N0} {Mib(process.PeakWorkingSet64),9:N0} " +
                              $"{sinceSample * (double)rowsPerStep / sampleClock.Elapsed.TotalSeconds,9:N0}");
            sinceSample = 0;
            sampleClock.Restart();
        }
        Console.WriteLine($"{phase}: {steps:N0} in {Progress.Duration(watch.Elapsed)}.");
    }

    private static void ReadScores(IDataView output)
    {
        var column = output.Schema["Score"];
        using var cursor = output.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> score = default;
        while (cursor.MoveNext())
            getter(ref score);
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);
}
