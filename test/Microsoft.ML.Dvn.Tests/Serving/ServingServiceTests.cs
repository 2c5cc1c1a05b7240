using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML.Dvn.Samples.Serving;
using Microsoft.ML.Dvn.Tests.TestData;

namespace Microsoft.ML.Dvn.Tests.Serving;

/// <summary>The serving sample, started on a free port on 127.0.0.1 and called with a real HttpClient.</summary>
[TestClass]
public sealed class ServingServiceTests
{
    // SmallModel: 784 features, Mlp(96, 96) cut into three units of 32, tasks fine (10 classes), coarse (4), inverted (10).
    private static readonly Dictionary<string, int> Classes = new() { ["fine"] = 10, ["coarse"] = 4, ["inverted"] = 10 };

    private static string _folder = null!;
    private static string _modelPath = null!;
    private static WebApplication _app = null!;
    private static HttpClient _http = null!;
    private static int _threadsBefore;

    [ClassInitialize]
    public static async Task Start(TestContext _)
    {
        // The service sets libtorch's threads for the process (one a prediction); later tests get back the count they had.
        _threadsBefore = TorchSharp.torch.get_num_threads();
        _folder = Directory.CreateTempSubdirectory("dvn-serving-").FullName;
        _modelPath = Path.Combine(_folder, "model.zip");
        SmallModel.Train(_modelPath, seed: 1, rowsPerTask: 40);
        _app = ServingApp.Create(new ServingSettings { ModelPath = _modelPath, Port = 0, LatencyRounds = 2, ReloadCheckInterval = TimeSpan.FromMilliseconds(50) });
        await _app.StartAsync();
        string address = _app.Urls.Single();
        Assert.IsTrue(address.StartsWith("http://127.0.0.1:", StringComparison.Ordinal), address);
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    [ClassCleanup]
    public static async Task Stop()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
        DvnRuntime.NumberOfThreads = _threadsBefore;
        DvnRuntime.NumberOfThreads = null;
    }

    private static long Parameters(string task, int level)
    {
        long w = 32 * level, c = Classes[task];
        return 784 * w + 4 * w + w * w + 4 * w + c * w + c;
    }

    private static long Bytes(string task, int level)
    {
        long w = 32 * level, c = Classes[task];
        return 4 * (Parameters(task, level) + 784 + 6 * w + 2 * c);
    }

    [TestMethod]
    public async Task HealthAndModelSayWhichFileIsLoadedWithItsChecksum()
    {
        var health = await _http.GetFromJsonAsync<JsonElement>("/health");
        var model = await _http.GetFromJsonAsync<JsonElement>("/model");

        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_modelPath)));
        Assert.AreEqual("ok", health.GetProperty("status").GetString());
        Assert.AreEqual(sha, model.GetProperty("sha256").GetString());
        Assert.AreEqual(Path.GetFullPath(_modelPath), model.GetProperty("path").GetString());
        Assert.AreEqual(784, model.GetProperty("featureLength").GetInt32());
        CollectionAssert.AreEqual(new[] { "fine", "coarse", "inverted" }, model.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()).ToArray());
        Assert.IsTrue(model.GetProperty("loadedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        // The service runs in this process: its resident size is this process's, read here from /proc.
        long resident = health.GetProperty("residentBytes").GetInt64(), committed = health.GetProperty("managedCommittedBytes").GetInt64();
        if (PeakMemory.Resident() is long now and > 0)
            Assert.AreEqual(now, resident, now / 5.0, "residentBytes is the process's VmRSS");
        Assert.IsTrue(health.GetProperty("managedHeapBytes").GetInt64() > 0 && committed > 0 && committed < resident, $"managed {committed} of {resident} resident");
        Assert.IsTrue(health.GetProperty("threads").GetInt32() >= 2);
        Assert.AreEqual(1, health.GetProperty("servedModels").GetInt32());
    }

    [TestMethod]
    public async Task LevelsListEveryTaskAndLevelWithParametersBytesAndMeasuredLatency()
    {
        var levels = (await _http.GetFromJsonAsync<JsonElement>("/levels")).GetProperty("levels").EnumerateArray().ToList();

        Assert.AreEqual(9, levels.Count);
        foreach (var level in levels)
        {
            string task = level.GetProperty("task").GetString()!;
            int j = level.GetProperty("level").GetInt32();
            Assert.AreEqual(Parameters(task, j), level.GetProperty("parameterCount").GetInt64(), $"{task} {j}");
            Assert.AreEqual(Bytes(task, j), level.GetProperty("bytes").GetInt64(), $"{task} {j}");
            Assert.IsTrue(level.GetProperty("latencyMicroseconds").GetDouble() > 0, $"{task} {j}: latency measured at load");
        }
    }

    [TestMethod]
    public async Task PredictAnswersTheHighestLevelThatFitsEachRowsBudget()
    {
        var latencies = (await _http.GetFromJsonAsync<JsonElement>("/levels")).GetProperty("levels").EnumerateArray()
            .Where(l => l.GetProperty("task").GetString() == "inverted").Select(l => l.GetProperty("latencyMicroseconds").GetDouble()).ToArray();
        double latencyBudget = latencies[1];
        int latencyLevel = Enumerable.Range(1, 3).Last(j => j == 1 || latencies[j - 1] <= latencyBudget);
        var rows = new object[]
        {
            Row("fine", ("memoryBudgetBytes", Bytes("fine", 2) + 1)),
            Row("coarse", ("memoryBudget", Parameters("coarse", 1))),
            Row("coarse", ("memoryBudgetBytes", Bytes("coarse", 3) - 1)),
            Row("fine"),
            Row("inverted", ("latencyBudget", latencyBudget)),
        };

        var response = await _http.PostAsJsonAsync("/predict", new { rows });
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        var predictions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().ToList();

        var expected = new[] { ("fine", 2), ("coarse", 1), ("coarse", 2), ("fine", 3), ("inverted", latencyLevel) };
        for (int i = 0; i < expected.Length; i++)
        {
            var (task, level) = expected[i];
            var p = predictions[i];
            Assert.AreEqual(level, p.GetProperty("level").GetInt32(), $"row {i}");
            Assert.AreEqual(Parameters(task, level), p.GetProperty("parameterCount").GetInt64(), $"row {i}");
            Assert.AreEqual(Bytes(task, level), p.GetProperty("bytes").GetInt64(), $"row {i}");
            StringAssert.StartsWith(p.GetProperty("label").GetString(), task + ":", $"row {i}: a label of its own task");
            var scores = p.GetProperty("scores").EnumerateObject().ToList();
            Assert.AreEqual(Classes[task], scores.Count, $"row {i}: one score a class of its task");
            Assert.AreEqual(1.0, scores.Sum(s => s.Value.GetDouble()), 1e-4, $"row {i}");
        }
    }

    [TestMethod]
    [DataRow("not json", "body")]
    [DataRow("[1, 2]", "body")]
    [DataRow("{}", "rows")]
    [DataRow("{\"rows\": []}", "rows")]
    [DataRow("{\"rows\": [{\"task\": \"fine\"}]}", "rows[0].features")]
    [DataRow("{\"rows\": [{\"task\": \"fine\", \"features\": [1, 2, 3]}]}", "rows[0].features")]
    [DataRow("{\"rows\": [{\"features\": FEATURES}]}", "rows[0].task")]
    [DataRow("{\"rows\": [{\"task\": \"nope\", \"features\": FEATURES}]}", "rows[0].task")]
    [DataRow("{\"rows\": [{\"task\": \"fine\", \"features\": FEATURES, \"budget\": 5}]}", "rows[0].budget")]
    [DataRow("{\"rows\": [{\"task\": \"fine\", \"features\": FEATURES, \"memoryBudget\": \"lots\"}]}", "rows[0].memoryBudget")]
    [DataRow("{\"rows\": [{\"task\": \"fine\", \"features\": FEATURES}, {\"task\": \"coarse\", \"features\": FEATURES, \"memoryBudgetBytes\": 1000}]}", "rows[1].memoryBudgetBytes")]
    [DataRow("{\"rows\": [{\"task\": \"fine\", \"features\": [\"a\"FEATURES_AFTER_FIRST]}]}", "rows[0].features[0]")]
    public async Task ABadRequestIsAnswered400NamingTheField(string body, string field)
    {
        string features = "[" + string.Join(",", Enumerable.Repeat("0.5", 784)) + "]";
        body = body.Replace("FEATURES_AFTER_FIRST", string.Concat(Enumerable.Repeat(",0.5", 783))).Replace("FEATURES", features);

        var response = await _http.PostAsync("/predict", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual(field, error.GetProperty("field").GetString());
        StringAssert.StartsWith(error.GetProperty("error").GetString(), field + ": ");
    }

    [TestMethod]
    public async Task ABudgetBelowEveryLevelIsRefusedWithTheTaskBudgetUnitAndSmallestLevel()
    {
        var response = await _http.PostAsJsonAsync("/predict", new { rows = new[] { Row("coarse", ("memoryBudgetBytes", 1000)) } });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        string error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
        StringAssert.Contains(error, "'coarse'");
        StringAssert.Contains(error, "budget of 1000 bytes");
        StringAssert.Contains(error, $"level 1 with {Bytes("coarse", 1)} bytes");
    }

    [TestMethod]
    public async Task AChangedModelFileIsReloadedUnderLoadWithoutAFailedRequest()
    {
        string before = (await _http.GetFromJsonAsync<JsonElement>("/model")).GetProperty("sha256").GetString()!;
        string latencyBefore = (await _http.GetFromJsonAsync<JsonElement>("/model")).GetProperty("latency").GetString()!;
        var latenciesBefore = await Latencies();
        string next = Path.Combine(_folder, "next.zip");
        SmallModel.Train(next, seed: 2, rowsPerTask: 120);   // enough rows for every class: the same levels as the served model
        string after = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(next)));
        Assert.AreNotEqual(before, after);

        var failures = new List<string>();
        var answeredBy = new HashSet<string>();
        int answeredByNew = 0;
        using var stop = new CancellationTokenSource();
        var firstAnswer = new TaskCompletionSource();
        // A latency budget as a client takes it from /levels before the reload: it must still be served after it.
        var body = new { rows = new[] { Row("fine", ("memoryBudgetBytes", Bytes("fine", 2))), Row("inverted"),
                                        Row("coarse", ("latencyBudget", latenciesBefore[("coarse", 2)])) } };
        async Task Client()
        {
            // Bounded: at most 20,000 requests a client, stopped once the new model has answered 20 of them.
            for (int i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                var response = await _http.PostAsJsonAsync("/predict", body);
                string text = await response.Content.ReadAsStringAsync();
                lock (failures)
                {
                    if (response.StatusCode != HttpStatusCode.OK)
                        failures.Add($"{response.StatusCode}: {text}");
                    else
                    {
                        string model = JsonDocument.Parse(text).RootElement.GetProperty("model").GetString()!;
                        answeredBy.Add(model);
                        if (model == after && ++answeredByNew >= 20)
                            stop.Cancel();
                    }
                    firstAnswer.TrySetResult();
                }
            }
        }
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(Client)).ToArray();
        await firstAnswer.Task.WaitAsync(TimeSpan.FromMinutes(2));
        File.Move(next, _modelPath, overwrite: true);   // atomic replacement, as a deployment does it
        await Task.WhenAll(clients);

        Assert.AreEqual(0, failures.Count, $"{failures.Count} failed requests, the first: {failures.FirstOrDefault()}");
        Assert.IsTrue(answeredBy.Contains(before), "the old model answered before the swap");
        Assert.IsTrue(answeredBy.Contains(after), "the new model answered after the swap");
        var model = await _http.GetFromJsonAsync<JsonElement>("/model");
        Assert.AreEqual(after, model.GetProperty("sha256").GetString());
        Assert.AreEqual(1, model.GetProperty("reloads").GetInt32());
        // Same tasks and levels (checked against the sizes computed from the shape), so the latency table measured at start
        // is kept, not measured again under the clients' load.
        var levels = (await _http.GetFromJsonAsync<JsonElement>("/levels")).GetProperty("levels").EnumerateArray().ToArray();
        Assert.IsTrue(levels.All(l => l.GetProperty("parameterCount").GetInt64() == Parameters(l.GetProperty("task").GetString()!, l.GetProperty("level").GetInt32())));
        Assert.AreEqual("kept from the model it replaced (same tasks and levels): " + latencyBefore, model.GetProperty("latency").GetString());
        CollectionAssert.AreEquivalent(latenciesBefore.ToList(), (await Latencies()).ToList());
    }

    [TestMethod]
    public void AReplacedModelServesItsRequestsUnderWayAndIsRetiredWhenTheLastEnds()
    {
        // A store of its own (the service's reload count stays the other test's), reloaded by hand.
        string path = Path.Combine(_folder, "retired.zip");
        File.Copy(_modelPath, path);
        var store = new ModelStore(new ServingSettings { ModelPath = path, LatencyRounds = 0 });
        var row = new ServingInput { Features = Enumerable.Repeat(0.5f, 784).ToArray(), Task = "coarse" };
        var first = store.Acquire();
        var second = store.Acquire();
        var old = first.Model;
        SmallModel.Train(Path.Combine(_folder, "retired-next.zip"), seed: 3, rowsPerTask: 40);
        File.Move(Path.Combine(_folder, "retired-next.zip"), path, overwrite: true);

        Assert.IsTrue(store.ReloadIfChanged());

        Assert.AreNotSame(old, store.Current);
        Assert.AreEqual(2, store.LiveModels, "the replaced model lives on while requests hold it");
        using (var next = store.Acquire())
            Assert.AreSame(store.Current, next.Model, "a request that starts after the reload gets the new model");
        first.Dispose();
        first.Dispose();   // a second Dispose of the same lease releases nothing more
        Assert.AreEqual(2, store.LiveModels, "one request still holds the replaced model");
        Assert.AreEqual(Classes["coarse"], old.WithEngine(engine => engine.Predict(row)).Score.Count(s => s != 0),
            "the replaced model's engines still predict (coarse's classes) for the request that holds it");
        second.Dispose();
        Assert.AreEqual(1, store.LiveModels, "the last request retired the replaced model");
        Assert.ThrowsExactly<ObjectDisposedException>(() => old.WithEngine(engine => engine.Predict(row)), "a retired model's engines are disposed");
        using var current = store.Acquire();
        Assert.AreEqual(Classes["coarse"], current.Model.WithEngine(engine => engine.Predict(row)).Score.Count(s => s != 0), "the new model predicts coarse's classes");
    }

    [TestMethod]
    public void NothingHoldsARetiredModelSoTheCollectorFreesIt()
    {
        string path = Path.Combine(_folder, "collected.zip");
        File.Copy(_modelPath, path);
        var store = new ModelStore(new ServingSettings { ModelPath = path, LatencyRounds = 0 });

        var replaced = ReloadOnce(store, path);
        for (int i = 0; i < 10 && replaced.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.IsFalse(replaced.IsAlive, "something still holds the replaced model's transformer (and its native weights)");
        Assert.AreEqual(1, store.LiveModels);
    }

    // A request on the model, a reload, the request's end; only a weak reference to the replaced transformer leaves.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference ReloadOnce(ModelStore store, string path)
    {
        var row = new ServingInput { Features = Enumerable.Repeat(0.5f, 784).ToArray(), Task = "fine" };
        var lease = store.Acquire();
        var weak = new WeakReference(lease.Model.Dvn);
        lease.Model.WithEngine(engine => engine.Predict(row));
        SmallModel.Train(path + ".next", seed: 4, rowsPerTask: 40);
        File.Move(path + ".next", path, overwrite: true);
        Assert.IsTrue(store.ReloadIfChanged());
        lease.Dispose();
        return weak;
    }

    private static async Task<Dictionary<(string Task, int Level), double>> Latencies() =>
        (await _http.GetFromJsonAsync<JsonElement>("/levels")).GetProperty("levels").EnumerateArray()
        .ToDictionary(l => (l.GetProperty("task").GetString()!, l.GetProperty("level").GetInt32()), l => l.GetProperty("latencyMicroseconds").GetDouble());

    [TestMethod]
    public async Task TheLoadTestReportsEveryConcurrencyAndBudgetUnitWithoutAFailedRequest()
    {
        var json = await LoadTestReport("report.json", "--rows", "2");
        var runs = json.GetProperty("service").EnumerateArray().ToList();
        CollectionAssert.AreEquivalent(
            new[] { "1 none", "1 parameters", "1 bytes", "1 microseconds", "2 none", "2 parameters", "2 bytes", "2 microseconds" },
            runs.Select(r => $"{r.GetProperty("clients").GetInt32()} {r.GetProperty("unit").GetString()}").ToArray());
        foreach (var run in runs)
        {
            Assert.AreEqual(0, run.GetProperty("failures").GetInt64());
            Assert.IsTrue(run.GetProperty("requests").GetInt64() > 0);
            Assert.AreEqual(2 * run.GetProperty("requestsPerSecond").GetDouble(), run.GetProperty("rowsPerSecond").GetDouble(), 1e-6);
            double p50 = run.GetProperty("p50Milliseconds").GetDouble(), p95 = run.GetProperty("p95Milliseconds").GetDouble(), p99 = run.GetProperty("p99Milliseconds").GetDouble();
            Assert.IsTrue(p50 <= p95 && p95 <= p99, $"{p50} {p95} {p99}");
        }
        Assert.AreEqual(2, json.GetProperty("inProcess").GetArrayLength());
        Assert.IsTrue(json.GetProperty("serverResidentBytes").GetProperty("before").GetInt64() > 0);
    }

    [TestMethod]
    public async Task TheLoadTestMixesTheBudgetUnitsInOneRunAConcurrency()
    {
        var json = await LoadTestReport("mixed.json", "--mixed");
        var runs = json.GetProperty("service").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "1 mixed", "2 mixed" }, runs.Select(r => $"{r.GetProperty("clients").GetInt32()} {r.GetProperty("unit").GetString()}").ToArray());
        Assert.IsTrue(runs.All(r => r.GetProperty("failures").GetInt64() == 0 && r.GetProperty("requests").GetInt64() > 0));
        Assert.AreEqual(JsonValueKind.Null, runs[0].GetProperty("budget").ValueKind);
        var inProcess = json.GetProperty("inProcess").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { 1, 2 }, inProcess.Select(r => r.GetProperty("clients").GetInt32()).ToArray());
        Assert.IsTrue(inProcess.All(r => r.GetProperty("rowsPerSecond").GetDouble() > 0 && r.GetProperty("serviceToInProcess").GetDouble() > 0));
    }

    [TestMethod]
    public async Task TheLoadTestSkipsTheInProcessPartWhenAskedToMeasureTheServiceOnly()
    {
        var json = await LoadTestReport("service-only.json", "--service-only");

        Assert.AreEqual(8, json.GetProperty("service").GetArrayLength(), "2 concurrencies x 4 budget units");
        Assert.AreEqual(0, json.GetProperty("inProcess").GetArrayLength(), "--service-only: no in-process comparison");
    }

    // The load test against the service, 0.3 s a run at 1 and 2 clients with the given options; its exit must be 0 (no
    // failed request). Returns its JSON report.
    private static async Task<JsonElement> LoadTestReport(string name, params string[] options)
    {
        string report = Path.Combine(_folder, name);
        int exit = await LoadTest.Run(new[] { "--url", _app.Urls.Single(), "--seconds", "0.3", "--clients", "1,2", "--out", report }.Concat(options).ToArray());
        Assert.AreEqual(0, exit);
        return JsonDocument.Parse(File.ReadAllText(report)).RootElement;
    }

    [TestMethod]
    public async Task AModelIsWarmedUpAtLoadOnEveryTaskWithoutABudgetAndAtEveryLevelInEveryUnit()
    {
        var model = await _http.GetFromJsonAsync<JsonElement>("/model");
        string path = Path.Combine(_folder, "warm.zip");
        File.Copy(_modelPath, path);

        var withoutLatencies = ServedModel.Load(path, File.ReadAllBytes(path), new ServingSettings { ModelPath = path, LatencyRounds = 0 });

        // 3 tasks, each: one row without a budget and, at each of 3 levels, one a unit (parameters, bytes, microseconds).
        Assert.AreEqual(3 * (1 + 3 * 3), model.GetProperty("warmUpRows").GetInt32());
        // Without a latency table there is no latency budget to warm up.
        Assert.AreEqual(3 * (1 + 3 * 2), withoutLatencies.WarmUpRows);
    }

    private static Dictionary<string, object> Row(string task, params (string Name, object Value)[] budgets)
    {
        var row = new Dictionary<string, object> { ["task"] = task, ["features"] = Enumerable.Repeat(0.5f, 784).ToArray() };
        foreach (var (name, value) in budgets)
            row[name] = value;
        return row;
    }
}
