using System.Text.Json;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// The service: POST /predict, GET /levels, GET /model and GET /health on 127.0.0.1 (loopback only), over the model
/// of <see cref="ServingSettings.ModelPath"/>, reloaded when that file changes.
/// </summary>
/// <example>
/// <code>
/// await using var app = ServingApp.Create(new ServingSettings { ModelPath = "dvn-model.zip", Port = 0 });
/// await app.StartAsync();
/// Console.WriteLine(app.Urls.Single());   // http://127.0.0.1:PORT
/// </code>
/// </example>
public static partial class ServingApp
{
    [GeneratedRegex("^Column '(?<column>[^']*)', row [0-9]+: ")]
    private static partial Regex RefusedColumnRegex();

    private static readonly Regex RefusedColumn = RefusedColumnRegex();

    public static WebApplication Create(ServingSettings settings)
    {
        DvnRuntime.NumberOfThreads = settings.Threads;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{settings.Port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter(typeof(ModelFileWatcher).FullName, LogLevel.Information);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new ModelStore(settings));
        builder.Services.AddHostedService<ModelFileWatcher>();
        var app = builder.Build();

        app.MapPost("/predict", async (HttpRequest request, ModelStore store) =>
        {
            // One model for the whole request, even if a reload swaps another in meanwhile.
            using var lease = store.Acquire();
            var model = lease.Model;
            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(request.Body);
            }
            catch (JsonException e)
            {
                return Refuse(new BadRequest("body", $"not valid JSON ({e.Message})"));
            }
            using (document)
            {
                try
                {
                    var rows = PredictRequest.Read(document.RootElement, model, settings.MaxRowsPerRequest);
                    var predictions = model.WithEngine(engine => rows.Select((row, i) => Predict(model, engine, row, i)).ToArray());
                    return Results.Ok(new { model = model.Sha256, predictions });
                }
                catch (BadRequest e)
                {
                    return Refuse(e);
                }
            }
        });

        app.MapGet("/levels", (ModelStore store) =>
        {
            var model = store.Current;
            var table = model.Dvn.Latencies;
            return Results.Ok(new
            {
                model = model.Sha256,
                latency = table is null ? null : new { percentile = table.Percentile, rounds = table.Rounds, machine = table.Machine, measuredAt = table.MeasuredAt, source = model.LatencySource },
                levels = model.Dvn.Tasks.SelectMany(task => model.Levels(task).Select(level => new
                {
                    task = model.Dvn.GetTaskName(task),
                    taskKey = task,
                    level = level.Level,
                    parameterCount = level.ParameterCount,
                    bytes = level.MemoryBytes,
                    activationBytes = level.ActivationBytes,
                    latencyMicroseconds = level.LatencyMicroseconds,
                    batchMicrosecondsPerRow = table?.Find(task, level.Level)?.BatchMicrosecondsPerRow,
                })),
            });
        });

        app.MapGet("/model", (ModelStore store) =>
        {
            var model = store.Current;
            return Results.Ok(new
            {
                path = Path.GetFullPath(model.Path),
                sha256 = model.Sha256,
                bytes = model.FileBytes,
                loadedAt = model.LoadedAt,
                reloads = store.Reloads,
                lastReloadError = store.LastReloadError,
                featureLength = model.FeatureLength,
                tasks = model.TaskNames,
                storedParameterCount = model.Dvn.StoredParameterCount,
                warmUpRows = model.WarmUpRows,
                latency = model.LatencySource,
            });
        });

        // The process's resident memory, for load tests that watch it grow (or not), and how much of it is the managed heap
        // (the rest is native: libtorch's tensors and allocator, the runtime, code) and how many threads hold it.
        app.MapGet("/health", (ModelStore store) =>
        {
            var gc = GC.GetGCMemoryInfo();
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return Results.Ok(new
            {
                status = "ok",
                model = store.Current.Sha256,
                residentBytes = Environment.WorkingSet,
                managedHeapBytes = gc.HeapSizeBytes,
                managedCommittedBytes = gc.TotalCommittedBytes,
                threads = process.Threads.Count,
                servedModels = store.LiveModels,
            });
        });
        return app;
    }

    private static object Predict(ServedModel model, PredictionEngine<ServingInput, ServingOutput> engine, ServingInput row, int index)
    {
        ServingOutput output;
        try
        {
            output = engine.Predict(row);
        }
        catch (InvalidOperationException e) when (RefusedColumn.Match(e.Message) is { Success: true } refusal)
        {
            // The DVN's own refusal (a budget below every level, a latency budget without latencies) names the column and
            // the engine's row count; the client's field is the row's, and the rest of the message stays as it is.
            string column = refusal.Groups["column"].Value;
            string field = column.Length == 0 ? column : char.ToLowerInvariant(column[0]) + column[1..];
            throw new BadRequest($"rows[{index}].{field}", e.Message[refusal.Length..]);
        }
        int task = model.TaskKey(row.Task)!.Value;
        var level = model.Levels(task).First(l => l.Level == output.Level);
        // Scores: the row's task's labels (every other label's score is 0 by construction).
        return new
        {
            label = output.PredictedLabel,
            scores = model.Labels.Select((label, slot) => (label, slot)).Where(s => output.Score[s.slot] != 0).ToDictionary(s => s.label, s => output.Score[s.slot]),
            level = output.Level,
            parameterCount = output.ParameterCount,
            bytes = level.MemoryBytes,
            latencyMicroseconds = level.LatencyMicroseconds,
        };
    }

    private static IResult Refuse(BadRequest error) =>
        Results.BadRequest(new { field = error.Field, error = error.Message });
}
