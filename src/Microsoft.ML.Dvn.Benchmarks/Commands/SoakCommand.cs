using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Dvn.Benchmarks.Soak;
using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Benchmarks.Commands;

/// <summary>
/// A long serving run, as a server's life: one model saved and loaded through an ML.NET zip, then a million single-row
/// predictions through one PredictionEngine and a thousand Transform passes, with the process's resident memory
/// sampled along the way. Memory that keeps growing after the warm-up (native tensors never freed, caches without a
/// bound) shows as growth; docs/benchmarks.md has a run.
/// </summary>
internal static class SoakCommand
{
    public const string Usage =
        "soak [--data fmnist|generated] [--architecture mlp|cnn] [--predictions N] [--passes N] [--rows N] [--seed S] [--out PATH.json]\n" +
        "    Trains a small DVN (2,000 images a task, 1 epoch), saves and loads it, then runs N single-row predictions\n" +
        "    (default 1,000,000) and N Transform passes over --rows test images (default 1,000 passes of 3,000 rows),\n" +
        "    sampling resident memory; reports its growth after the first tenth of each phase. Defaults: mlp, seed 1, soak-<architecture>.json.";

    private const int Samples = 100;

    public static void Run(Arguments args)
    {
        string data = DataSource.Choose(args.Choice("data", DataSource.FashionMnistName, DataSource.GeneratedName));
        string architecture = args.Choice("architecture", Architectures.Mlp, Architectures.Cnn) ?? Architectures.Mlp;
        int predictions = args.Integer("predictions", minimum: Samples) ?? 1_000_000;
        int passes = args.Integer("passes", minimum: 10) ?? 1_000;
        int rowCount = args.Integer("rows", minimum: 4) ?? 3_000;
        int seed = args.Integer("seed", minimum: 0) ?? 1;
        string output = Path.GetFullPath(args.Text("out") ?? $"soak-{architecture}.json");
        args.RejectUnknown();
        if (!ResidentMemory.IsAvailable)
            throw new UsageException("'soak' reads resident memory from /proc/self/status, which this system does not have (Linux only).");

        var (model, rows) = Prepare(data, architecture, seed, rowCount);
        // The data set and the trained copy of the model are garbage from here on: collect them (and their native
        // tensors, through finalizers), so that the phases start from the memory of a process that only serves.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var single = SinglePredictions(model, rows, predictions);
        Report(single);
        var transform = TransformPasses(model, rows, passes);
        Report(transform);

        var report = new SoakReport(architecture, data, MachineDescription.Cpu(), Environment.ProcessorCount, single, transform);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        report.Save(output);
        Console.WriteLine($"Wrote {output}.");
    }

    private static (DvnPipeline Model, List<TaskRow> Rows) Prepare(string data, string architecture, int seed, int rowCount)
    {
        var scenario = Progress.Step(DataSource.Describe(data), () => DataSource.Load(data));
        var model = Progress.Step("Training and saving a small DVN, loading it back", () => TrainSaveAndLoad(scenario, architecture, seed));
        return (model, RowsAtEveryLevel(scenario, model.Dvn, rowCount));
    }

    private static DvnPipeline TrainSaveAndLoad(Scenario scenario, string architecture, int seed)
    {
        var ml = new MLContext(seed);
        var tasks = scenario.TaskNames;
        var options = new DvnEstimator.Options { Architecture = Architectures.Full(architecture), NumberOfEpochs = 1, Seed = seed };
        var trained = DvnPipeline.Fit(ml, tasks, tasks.SelectMany(scenario.Labels).ToArray(), tasks.SelectMany(t => scenario.TrainRows(t, 2_000)), options);
        string path = Path.Combine(Path.GetTempPath(), $"dvn-soak-{Environment.ProcessId}.zip");
        try
        {
            trained.Save(ml, path);
            return DvnPipeline.Load(new MLContext(seed), path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Test images of every task in turn, with budgets that select level 1, 2, 3 and the highest (no budget) in turn.
    private static List<TaskRow> RowsAtEveryLevel(Scenario scenario, DvnTransformer dvn, int count)
    {
        var perTask = scenario.TaskNames.Select(t => scenario.TestRows(t, (count + 2) / 3)).ToArray();
        return Enumerable.Range(0, count).Select(i =>
        {
            var row = perTask[i % 3][i / 3];
            var levels = dvn.GetLevels(scenario.TaskKey(row.Task));
            return row.WithBudget((i / 3 % (levels.Count + 1)) is var j && j < levels.Count ? levels[j].ParameterCount : double.NaN);
        }).ToList();
    }

    private static SoakPhase SinglePredictions(DvnPipeline model, List<TaskRow> rows, int count)
    {
        using var engine = new MLContext().Model.CreatePredictionEngine<TaskRow, TaskPrediction>(model.Model);
        var prediction = new TaskPrediction();
        return Phase($"{count:N0} single-row predictions (one PredictionEngine)", count,
            i => engine.Predict(rows[(int)(i % rows.Count)], ref prediction));
    }

    private static SoakPhase TransformPasses(DvnPipeline model, List<TaskRow> rows, int count)
    {
        var ml = new MLContext();
        var input = ml.Data.Cache(ml.Data.LoadFromEnumerable(rows));
        return Phase($"{count:N0} Transform passes over {rows.Count:N0} rows", count, _ => ReadAll(model.Model.Transform(input)));
    }

    // Runs `step` count times; samples resident memory Samples times at even steps. The first tenth is the warm-up.
    private static SoakPhase Phase(string name, long count, Action<long> step)
    {
        Console.WriteLine($"{name} ...");
        var samples = new List<SoakSample>();
        var watch = Stopwatch.StartNew();
        long every = Math.Max(1, count / Samples);
        for (long i = 0; i < count; i++)
        {
            step(i);
            if ((i + 1) % every == 0 || i + 1 == count)
            {
                // Sampled after a full collection: otherwise the figure swings with the garbage of the current GC cycle
                // (tens of MB of cursors and buffers), which hides a slow growth. What is still reachable, and native
                // memory that no managed object owns, stays counted.
                GC.Collect();
                samples.Add(new SoakSample(i + 1, ResidentMemory.Bytes(), GC.GetTotalMemory(forceFullCollection: false),
                    GC.GetGCMemoryInfo().TotalCommittedBytes));
            }
        }
        return new SoakPhase(name, count, count / 10, watch.Elapsed.TotalSeconds, samples);
    }

    private static void ReadAll(IDataView output)
    {
        var columns = new[] { "Score", "PredictedLabel", "Level", "ParameterCount" }.Select(n => output.Schema[n]).ToArray();
        using var cursor = output.GetRowCursor(columns);
        var score = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var label = cursor.GetGetter<ReadOnlyMemory<char>>(columns[1]);
        var level = cursor.GetGetter<uint>(columns[2]);
        var parameters = cursor.GetGetter<long>(columns[3]);
        VBuffer<float> s = default;
        ReadOnlyMemory<char> l = default;
        uint v = 0;
        long p = 0;
        while (cursor.MoveNext())
        {
            score(ref s);
            label(ref l);
            level(ref v);
            parameters(ref p);
        }
    }

    private static void Report(SoakPhase phase)
    {
        static string Mb(long bytes) => $"{bytes / 1048576.0:N1} MB";
        Console.WriteLine($"{phase.Name}: {Progress.Duration(TimeSpan.FromSeconds(phase.Seconds))}; resident memory " +
                          $"{Mb(phase.Samples[0].ResidentBytes)} at the first sample, {Mb(phase.BaselineBytes)} after the warm-up " +
                          $"({phase.WarmUp:N0}), {Mb(phase.Samples[^1].ResidentBytes)} at the end: growth {phase.Growth:+0.0%;-0.0%} " +
                          $"(peak {phase.PeakGrowth:+0.0%;-0.0%}).");
    }
}
