using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// One loaded model and everything a request needs of it: its pool of PredictionEngines, its tasks and labels, its
/// levels and latencies, and where it came from. Immutable once made; a reload makes a new one and swaps it in, and
/// requests under way finish on the one they started with.
/// </summary>
public sealed class ServedModel
{
    private readonly ObjectPool<PredictionEngine<ServingInput, ServingOutput>> _engines;
    private readonly Dictionary<string, int> _taskKeys;
    private readonly Dictionary<int, IReadOnlyList<DvnLevelInfo>> _levels;
    // The store's hold plus one per request under way (ModelStore.Acquire); 0 once retired, for good.
    private int _references = 1;

    private ServedModel(string path, byte[] file, ServingSettings settings, ServedModel? replacing)
    {
        Path = path;
        FileBytes = file.LongLength;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        var ml = new MLContext(seed: 0);
        Model = ml.Model.Load(new MemoryStream(file), out var inputSchema);
        Dvn = Model.GetDvnTransformer();
        FeatureLength = inputSchema["Features"].Type is VectorDataViewType { Size: > 0 } vector
            ? vector.Size
            : throw new InvalidDataException($"{path}: the model's Features column is not a vector of known size.");
        TaskNames = Dvn.Tasks.Select(Dvn.GetTaskName).ToArray();
        _taskKeys = Dvn.Tasks.ToDictionary(Dvn.GetTaskName, k => k, StringComparer.Ordinal);
        var definition = SchemaDefinition.Create(typeof(ServingInput));
        definition[nameof(ServingInput.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureLength);
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        var output = Model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ServingInput>(), definition).Schema);
        output["Score"].GetSlotNames(ref slotNames);
        Labels = slotNames.DenseValues().Select(s => s.ToString()).ToArray();
        LatencySource = AttachLatencies(ml, definition, settings, replacing);
        _levels = Dvn.Tasks.ToDictionary(k => k, k => Dvn.GetLevels(k));
        _engines = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 4 }
            .Create(new EnginePolicy(() => ml.Model.CreatePredictionEngine<ServingInput, ServingOutput>(Model, inputSchemaDefinition: definition)));
        WarmUpRows = WarmUp();
        LoadedAt = DateTimeOffset.UtcNow;
    }

    public string Path { get; }

    public long FileBytes { get; }

    /// <summary>SHA-256 of the file's bytes as loaded, lower-case hex.</summary>
    public string Sha256 { get; }

    public DateTimeOffset LoadedAt { get; }

    public ITransformer Model { get; }

    public DvnTransformer Dvn { get; }

    public int FeatureLength { get; }

    /// <summary>The Score vector's label of every slot.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Where the latency table came from: measured at load, a file beside the model, or none.</summary>
    public string LatencySource { get; }

    /// <summary>The task names in task-key order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>
    /// Rows predicted at load, before the model served a request (<see cref="WarmUp"/>): for every task, one without a
    /// budget and, for every level, one with a budget of exactly that level in each unit the model can select by.
    /// </summary>
    public int WarmUpRows { get; }

    /// <summary>
    /// Loads the model from the bytes of its file (read once, so that the checksum is of what was loaded). A reload passes
    /// the model it replaces as <paramref name="replacing"/>: when the new one has the same tasks and levels (the same
    /// parameters and bytes at every (task, level)), it keeps that model's latency table instead of measuring again.
    /// Latency depends on the network's shape and the machine, not on its weights, and a measurement taken while the
    /// service answers requests counts their load: a table measured then was slower, so latency budgets that clients
    /// took from /levels before the reload fell below every level and were refused.
    /// </summary>
    public static ServedModel Load(string path, byte[] file, ServingSettings settings, ServedModel? replacing = null) =>
        new(path, file, settings, replacing);

    /// <summary>A task's levels, with their latencies (made once: requests read them for every row).</summary>
    public IReadOnlyList<DvnLevelInfo> Levels(int task) => _levels[task];

    /// <summary>The task key of a task name, or null when the model has no such task.</summary>
    public int? TaskKey(string name) => _taskKeys.TryGetValue(name, out int key) ? key : null;

    /// <summary>
    /// Runs <paramref name="work"/> with an engine from the pool, and returns it. In the service, only under a lease
    /// (<see cref="ModelStore.Acquire"/>): a retired model's engines are disposed.
    /// </summary>
    public T WithEngine<T>(Func<PredictionEngine<ServingInput, ServingOutput>, T> work)
    {
        var engine = _engines.Get();
        try
        {
            return work(engine);
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    // One engine of the pool predicts every task at every level through every budget unit, so that the code of each path
    // (the engine's getters, each unit's level choice, each level's forward pass) is compiled before the model serves, and
    // the first requests, at start or right after a reload, do not pay for it (the first request after start: 44-51 ms
    // without, 17-20 ms with, docs/benchmarks.md). Returns the rows predicted.
    private int WarmUp()
    {
        var features = new float[FeatureLength];
        var rows = Dvn.Tasks.SelectMany(task => Levels(task).SelectMany(level => new[]
        {
            new ServingInput { MemoryBudget = level.ParameterCount },
            new ServingInput { MemoryBudgetBytes = level.MemoryBytes },
            new ServingInput { LatencyBudget = level.LatencyMicroseconds ?? double.NaN },
        }.Where(row => !(double.IsNaN(row.MemoryBudget) && double.IsNaN(row.MemoryBudgetBytes) && double.IsNaN(row.LatencyBudget))))
            .Prepend(new ServingInput())
            .Select(row => { row.Features = features; row.Task = Dvn.GetTaskName(task); return row; }))
            .ToArray();
        return WithEngine(engine =>
        {
            foreach (var row in rows)
                engine.Predict(row);
            return rows.Length;
        });
    }

    // One more hold, unless the model is retired already.
    internal bool TryAddReference()
    {
        for (int seen = Volatile.Read(ref _references); seen > 0; seen = Volatile.Read(ref _references))
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen)
                return true;
        return false;
    }

    // One hold less; the last one retires the model (its engines disposed) and returns true.
    internal bool RemoveReference()
    {
        if (Interlocked.Decrement(ref _references) != 0)
            return false;
        ((IDisposable)_engines).Dispose();   // the pool of a disposable type disposes what it holds and what comes back
        return true;
    }

    // A saved table beside the model when it fits this model, else the replaced model's table when the levels are the
    // same, else a measurement on this machine, else none.
    private string AttachLatencies(MLContext ml, SchemaDefinition definition, ServingSettings settings, ServedModel? replacing)
    {
        string beside = DvnLatencyTable.PathBeside(Path);
        string? problem = null;
        if (File.Exists(beside))
        {
            try
            {
                Dvn.SetLatencies(DvnLatencyTable.Load(beside));
                return $"file {beside}";
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException)
            {
                problem = $"{beside} does not fit this model ({e.Message}); ";
            }
        }
        if (replacing?.Dvn.Latencies is { } kept && SameLevels(replacing))
        {
            Dvn.SetLatencies(kept);
            const string prefix = "kept from the model it replaced (same tasks and levels): ";
            return problem + prefix + (replacing.LatencySource.StartsWith(prefix, StringComparison.Ordinal) ? replacing.LatencySource[prefix.Length..] : replacing.LatencySource);
        }
        if (settings.LatencyRounds == 0)
            return problem + "none (latency budgets are refused)";
        var random = new Random(1);
        var samples = Enumerable.Range(0, 16).Select(_ => new ServingInput
        {
            Features = Enumerable.Range(0, FeatureLength).Select(_ => random.NextSingle()).ToArray(),
            Task = TaskNames[0],
        });
        var parts = Model as IEnumerable<ITransformer> ?? new[] { Model };
        var dvnInput = parts.TakeWhile(p => p != Dvn).Aggregate(ml.Data.LoadFromEnumerable(samples, definition), (data, part) => part.Transform(data));
        var table = Dvn.MeasureLatency(dvnInput, new DvnLatencyOptions { WarmupRounds = 3, Rounds = settings.LatencyRounds, BatchSize = 16 });
        return problem + $"measured at load (p{table.Percentile} of {table.Rounds} rounds on {table.Machine})";
    }

    // The same task names and, for every task, the same levels with the same parameters and bytes.
    private bool SameLevels(ServedModel other) =>
        TaskNames.SequenceEqual(other.TaskNames) && Dvn.Tasks.SequenceEqual(other.Dvn.Tasks) &&
        Dvn.Tasks.All(k => Dvn.GetLevels(k).Select(l => (l.Level, l.ParameterCount, l.MemoryBytes))
            .SequenceEqual(other.Dvn.GetLevels(k).Select(l => (l.Level, l.ParameterCount, l.MemoryBytes))));

    private sealed class EnginePolicy(Func<PredictionEngine<ServingInput, ServingOutput>> create) : IPooledObjectPolicy<PredictionEngine<ServingInput, ServingOutput>>
    {
        public PredictionEngine<ServingInput, ServingOutput> Create() => create();

        public bool Return(PredictionEngine<ServingInput, ServingOutput> engine) => true;
    }
}
