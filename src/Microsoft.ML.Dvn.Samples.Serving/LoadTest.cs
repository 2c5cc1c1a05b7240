using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// Load on a running service: 1, 8 and 64 concurrent clients, each sending one-row requests back to back for a set
/// time, once without a budget and once with a budget in each unit (selecting the middle level of the first task);
/// then the same model in this process through PredictionEngines at the same concurrencies, for the ratio of the
/// service's rows/s to the in-process rows/s. Reports requests/s, p50/p95/p99 latency, failures, and the server's
/// resident memory before and after.
/// </summary>
/// <remarks>The clients run on the same machine as the server (loopback) and take CPU from it: the figures are of the
/// pair, which is what a sidecar or a local client sees.</remarks>
public static class LoadTest
{
    public const string Usage =
        "loadtest [--url URL] [--seconds N] [--quick] [--clients 1,8,64] [--rows N] [--threads N] [--out report.json]\n" +
        "    Against a running service (default http://127.0.0.1:5080): 1, 8 and 64 concurrent clients (--clients) for N\n" +
        "    seconds each (default 10; --quick: 1), requests of --rows rows (default 1), without a budget and with a budget in\n" +
        "    each unit; then the model in this process through PredictionEngines at the same concurrencies (libtorch threads:\n" +
        "    --threads, default 1, as the service), for the ratio of rows/s. Prints, and writes the figures as JSON.";

    public static async Task<int> Run(string[] args)
    {
        var options = CommandLine.Parse(args, new[] { "url", "seconds", "clients", "rows", "threads", "out" }, "quick", "help");
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
        await Service(http, Body(features, task, null, double.NaN, rowsPerRequest), 8, rowsPerRequest, duration < TimeSpan.FromSeconds(1) ? duration : TimeSpan.FromSeconds(1));   // warm-up
        var runs = new List<ServiceRun>();
        foreach (int clients in concurrencies)
            foreach (var (unit, field, value) in budgets)
            {
                var run = await Service(http, Body(features, task, field, value, rowsPerRequest), clients, rowsPerRequest, duration);
                runs.Add(run with { Unit = unit, Budget = field is null ? null : value });
                Console.WriteLine($"  service   {clients,2} clients, budget {unit,-12}: {run.RequestsPerSecond,8:F0} requests/s ({run.RowsPerSecond:F0} rows/s), " +
                                  $"p50 {run.P50Milliseconds:F2} ms, p95 {run.P95Milliseconds:F2} ms, p99 {run.P99Milliseconds:F2} ms, {run.Failures} failed");
            }
        long residentAfter = (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("residentBytes").GetInt64();
        Console.WriteLine($"  server resident memory: {residentBefore / 1048576.0:F1} MiB before, {residentAfter / 1048576.0:F1} MiB after.");

        var local = ServedModel.Load(model.GetProperty("path").GetString()!, File.ReadAllBytes(model.GetProperty("path").GetString()!),
            new ServingSettings { ModelPath = model.GetProperty("path").GetString()!, LatencyRounds = 0 });
        var inProcess = new List<object>();
        foreach (int clients in concurrencies)
        {
            double rowsPerSecond = InProcess(local, new ServingInput { Features = features, Task = task }, clients, duration);
            double service = runs.Single(r => r.Clients == clients && r.Unit == "none").RowsPerSecond;
            inProcess.Add(new { clients, rowsPerSecond, serviceToInProcess = service / rowsPerSecond });
            Console.WriteLine($"  in process {clients,2} engines: {rowsPerSecond,8:F0} rows/s; service / in process: {service / rowsPerSecond:F2}");
        }

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

    private static async Task<ServiceRun> Service(HttpClient http, byte[] body, int clients, int rowsPerRequest, TimeSpan duration)
    {
        var times = new List<double>[clients];
        long failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = times[c] = new List<double>();
            while (clock.Elapsed < duration)
            {
                long start = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(body);
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

    // Rows/s of `clients` threads, each predicting with its own engine from the model's pool, for the duration.
    private static double InProcess(ServedModel model, ServingInput row, int clients, TimeSpan duration)
    {
        long rows = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Factory.StartNew(() => model.WithEngine(engine =>
        {
            long mine = 0;
            while (clock.Elapsed < duration)
            {
                engine.Predict(row);
                mine++;
            }
            Interlocked.Add(ref rows, mine);
            return mine;
        }), TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);
        return rows / clock.Elapsed.TotalSeconds;
    }

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length), 1, sorted.Length) - 1];
}
