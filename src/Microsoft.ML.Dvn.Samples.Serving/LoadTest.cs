using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// Load on a running service: 1, 8 and 64 concurrent clients, each sending one-row requests back to back for a set
/// time, once without a budget and once with a budget in each unit (selecting the middle level of the first task), or
/// with --mixed once, every request taking the next unit in turn (a steady load, as a soak wants);
/// then the same model in this process through PredictionEngines at the same concurrencies, for the ratio of the
/// service's rows/s to the in-process rows/s. Reports requests/s, p50/p95/p99 latency, failures, and the server's
/// resident memory before and after.
/// </summary>
/// <remarks>The clients run on the same machine as the server (loopback) and take CPU from it: the figures are of the
/// pair, which is what a sidecar or a local client sees.</remarks>
public static class LoadTest
{
    public const string Usage =
        "loadtest [--url URL] [--seconds N] [--quick] [--clients 1,8,64] [--rows N] [--mixed] [--service-only] [--threads N] [--out report.json]\n" +
        "    Against a running service (default http://127.0.0.1:5080): 1, 8 and 64 concurrent clients (--clients) for N\n" +
        "    seconds each (default 10; --quick: 1), requests of --rows rows (default 1), without a budget and with a budget in\n" +
        "    each unit (--mixed: one run a concurrency whose requests take the units in turn, the steady load of a soak);\n" +
        "    then the model in this process through PredictionEngines at the same concurrencies (libtorch threads:\n" +
        "    --threads, default 1, as the service), for the ratio of rows/s (--service-only: not). Prints, and writes the\n" +
        "    figures as JSON.";

    public static async Task<int> Run(string[] args)
    {
        var options = CommandLine.Parse(args, new[] { "url", "seconds", "clients", "rows", "threads", "out" }, "quick", "mixed", "service-only", "help");
        if (options.ContainsKey("help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var url = new Uri(options.GetValueOrDefault("url") ?? "http://127.0.0.1:5080");
        var duration = TimeSpan.FromSeconds(Seconds(options.GetValueOrDefault("seconds")) ?? (options.ContainsKey("quick") ? 1 : 10));
        DvnRuntime.NumberOfThreads = CommandLine.Integer(options, "threads", 1, minimum: 1);
        int rowsPerRequest = CommandLine.Integer(options, "rows", 1, minimum: 1);
        var concurrencies = Clients(options.GetValueOrDefault("clients") ?? "1,8,64");
        string? output = options.GetValueOrDefault("out");
        bool mixed = options.ContainsKey("mixed");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrencies.Max() }) { BaseAddress = url };
        var model = await http.GetFromJsonAsync<JsonElement>("/model");
        var levels = (await http.GetFromJsonAsync<JsonElement>("/levels")).GetProperty("levels").EnumerateArray().ToArray();
        string task = model.GetProperty("tasks")[0].GetString()!;
        int featureLength = model.GetProperty("featureLength").GetInt32();
        var taskLevels = levels.Where(l => l.GetProperty("task").GetString() == task).ToArray();
        var middle = taskLevels[taskLevels.Length / 2];
        var budgets = new List<(string Unit, string? Field, double Value)> { ("none", null, double.NaN) };
        budgets.Add(("parameters", PredictRequest.MemoryBudget, middle.GetProperty("parameterCount").GetInt64()));
        budgets.Add(("bytes", PredictRequest.MemoryBudgetBytes, middle.GetProperty("bytes").GetInt64()));
        if (middle.GetProperty("latencyMicroseconds").ValueKind == JsonValueKind.Number)
            budgets.Add(("microseconds", PredictRequest.LatencyBudget, middle.GetProperty("latencyMicroseconds").GetDouble()));
        var features = Enumerable.Range(0, featureLength).Select(i => (float)((i * 37 % 101) / 100.0)).ToArray();

        Console.WriteLine($"Load on {url} (model {model.GetProperty("sha256").GetString()}), {duration.TotalSeconds:0.#} s a run, task {task}, " +
                          $"{rowsPerRequest} rows a request, budgets at its level {middle.GetProperty("level").GetInt32()}; CPU: {DvnMachine.Current()}.");
        long residentBefore = (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("residentBytes").GetInt64();
        var bodies = budgets.Select(b => Body(features, task, b.Field, b.Value, rowsPerRequest)).ToArray();
        var warmUp = mixed ? bodies : bodies[..1];
        await Service(http, warmUp, 8, rowsPerRequest, duration < TimeSpan.FromSeconds(1) ? duration : TimeSpan.FromSeconds(1));
        // A run a budget unit, or with --mixed one run whose requests take every unit in turn.
        var loads = mixed
            ? new[] { (Unit: "mixed", Budget: (double?)null, Bodies: bodies) }
            : budgets.Select((b, i) => (b.Unit, Budget: b.Field is null ? null : (double?)b.Value, Bodies: bodies[i..(i + 1)])).ToArray();
        var runs = new List<ServiceRun>();
        foreach (int clients in concurrencies)
            foreach (var (unit, budget, load) in loads)
            {
                var run = await Service(http, load, clients, rowsPerRequest, duration);
                runs.Add(run with { Unit = unit, Budget = budget });
                Console.WriteLine($"  service   {clients,2} clients, budget {unit,-12}: {run.RequestsPerSecond,8:F0} requests/s ({run.RowsPerSecond:F0} rows/s), " +
                                  $"p50 {run.P50Milliseconds:F2} ms, p95 {run.P95Milliseconds:F2} ms, p99 {run.P99Milliseconds:F2} ms, {run.Failures} failed");
            }
        long residentAfter = (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("residentBytes").GetInt64();
        Console.WriteLine($"  server resident memory: {residentBefore / 1048576.0:F1} MiB before, {residentAfter / 1048576.0:F1} MiB after.");

        var inProcess = new List<object>();
        if (!options.ContainsKey("service-only"))
            inProcess = CompareInProcess(model, budgets, middle, features, task, mixed, concurrencies, runs, duration);

        if (output is not null)
        {
            var report = new
            {
                url = url.ToString(),
                model = new { sha256 = model.GetProperty("sha256").GetString(), path = model.GetProperty("path").GetString() },
                machine = DvnMachine.Current(),
                secondsPerRun = duration.TotalSeconds,
                rowsPerRequest,
                task,
                budgetLevel = middle.GetProperty("level").GetInt32(),
                service = runs,
                serverResidentBytes = new { before = residentBefore, after = residentAfter },
                inProcess,
            };
            await File.WriteAllTextAsync(output, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            Console.WriteLine($"Wrote {output}.");
        }
        return runs.Any(r => r.Failures > 0) ? 1 : 0;
    }

    // The same model in this process through PredictionEngines at each concurrency, with the service's level mix: no budget
    // (the top level), and with --mixed every unit's budget in turn, each of which selects the middle level (the model here
    // has no latency table, so a row with a budget carries it as parameters). Rows/s and the service's share of them.
    private static List<object> CompareInProcess(JsonElement model, List<(string Unit, string? Field, double Value)> budgets, JsonElement middle,
        float[] features, string task, bool mixed, int[] concurrencies, List<ServiceRun> runs, TimeSpan duration)
    {
        string path = model.GetProperty("path").GetString()!;
        var local = ServedModel.Load(path, File.ReadAllBytes(path), new ServingSettings { ModelPath = path, LatencyRounds = 0 });
        var rows = (mixed ? budgets : budgets.Take(1)).Select(b => new ServingInput
        {
            Features = features,
            Task = task,
            MemoryBudget = b.Field is null ? double.NaN : middle.GetProperty("parameterCount").GetInt64(),
        }).ToArray();
        var compared = new List<object>();
        foreach (int clients in concurrencies)
        {
            double rowsPerSecond = InProcess(local, rows, clients, duration);
            double service = runs.Single(r => r.Clients == clients && r.Unit == (mixed ? "mixed" : "none")).RowsPerSecond;
            compared.Add(new { clients, rowsPerSecond, serviceToInProcess = service / rowsPerSecond });
            Console.WriteLine($"  in process {clients,2} engines: {rowsPerSecond,8:F0} rows/s; service / in process: {service / rowsPerSecond:F2}");
        }
        return compared;
    }

    /// <summary>One run: concurrency, budget, what was measured (milliseconds from sending to the whole answer read).</summary>
    public sealed record ServiceRun(int Clients, string Unit, double? Budget, long Requests, long Failures, double RequestsPerSecond,
        double RowsPerSecond, double P50Milliseconds, double P95Milliseconds, double P99Milliseconds);

    private static double? Seconds(string? text) => text is null ? null
        : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 86_400
            ? s
            : throw new ArgumentException($"--seconds is '{text}'; expected a number of seconds above 0 (at most a day).");

    private static int[] Clients(string list)
    {
        var counts = list.Split(',').Select(c => int.TryParse(c, out int n) && n >= 1 ? n : 0).ToArray();
        return counts.All(c => c >= 1) ? counts : throw new ArgumentException($"--clients is '{list}'; expected counts of 1 or more, separated by commas (1,8,64).");
    }

    private static byte[] Body(float[] features, string task, string? field, double value, int rows)
    {
        var row = new Dictionary<string, object> { [PredictRequest.Task] = task, [PredictRequest.Features] = features };
        if (field is not null)
            row[field] = value;
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { rows = Enumerable.Repeat(row, rows) }));
    }

    // Client c's i-th request sends bodies[(c + i) % bodies.Length].
    private static async Task<ServiceRun> Service(HttpClient http, byte[][] bodies, int clients, int rowsPerRequest, TimeSpan duration)
    {
        var times = new List<double>[clients];
        long failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = times[c] = new List<double>();
            for (int i = c; clock.Elapsed < duration; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.ContentType = new("application/json");
                try
                {
                    using var response = await http.PostAsync("/predict", content);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode)
                        Interlocked.Increment(ref failures);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        var all = times.SelectMany(t => t).Order().ToArray();
        return new ServiceRun(clients, "", null, all.Length, failures, all.Length / seconds, all.Length * rowsPerRequest / seconds,
            Percentile(all, 50), Percentile(all, 95), Percentile(all, 99));
    }

    // Rows/s of `clients` threads, each predicting with its own engine from the model's pool, for the duration; client c's
    // i-th prediction is of rows[(c + i) % rows.Length], as the service's requests.
    private static double InProcess(ServedModel model, ServingInput[] rows, int clients, TimeSpan duration)
    {
        long predicted = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Factory.StartNew(() => model.WithEngine(engine =>
        {
            long mine = 0;
            while (clock.Elapsed < duration)
            {
                engine.Predict(rows[(c + mine) % rows.Length]);
                mine++;
            }
            Interlocked.Add(ref predicted, mine);
            return mine;
        }), TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);
        return predicted / clock.Elapsed.TotalSeconds;
    }

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length), 1, sorted.Length) - 1];
}
