using Microsoft.ML.Dvn.Samples.Serving;

// dotnet run -c Release --project src/Microsoft.ML.Dvn.Samples.Serving [-- --model PATH] [--port N] [--threads N] [--latency-rounds N]
// dotnet run -c Release --project src/Microsoft.ML.Dvn.Samples.Serving -- loadtest [--url URL] [--seconds N] [--quick] [--out report.json]
const string Usage =
    "Serves a DVN model over HTTP on 127.0.0.1: POST /predict, GET /levels, GET /model, GET /health.\n" +
    "Options: --model PATH (default: dvn-model.zip, the samples' model, when it exists here; else a small model trained now\n" +
    "         into .dvn/serving/dvn-model.zip), --port N (default 5080; 0 takes a free port), --threads N (libtorch threads\n" +
    "         a prediction, default 1), --latency-rounds N (latency measured at load, default 30; 0 skips it).\n" +
    LoadTest.Usage;
try
{
    if (args.Length > 0 && args[0] == "loadtest")
        return await LoadTest.Run(args[1..]);
    var options = CommandLine.Parse(args, new[] { "model", "port", "threads", "latency-rounds" }, "help");
    if (options.ContainsKey("help"))
    {
        Console.WriteLine(Usage);
        return 0;
    }
    string model = options.GetValueOrDefault("model") ?? DefaultModel();
    var settings = new ServingSettings
    {
        ModelPath = model,
        Port = CommandLine.Integer(options, "port", 5080, minimum: 0),
        Threads = CommandLine.Integer(options, "threads", 1, minimum: 1),
        LatencyRounds = CommandLine.Integer(options, "latency-rounds", 30, minimum: 0),
    };
    Console.WriteLine($"Loading {model} and measuring its latency ...");
    await using var app = ServingApp.Create(settings);
    await app.StartAsync();
    var served = app.Services.GetRequiredService<ModelStore>().Current;
    string address = app.Urls.Single();
    Console.WriteLine($"Serving {Path.GetFullPath(model)} (SHA-256 {served.Sha256}; tasks {string.Join(", ", served.TaskNames)}; " +
                      $"{served.FeatureLength} features; latency {served.LatencySource}).");
    Console.WriteLine($"Listening on {address}: POST {address}/predict, GET {address}/levels, {address}/model, {address}/health. Ctrl+C stops.");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

static string DefaultModel()
{
    const string Samples = "dvn-model.zip", Small = ".dvn/serving/dvn-model.zip";
    if (File.Exists(Samples))
        return Samples;
    if (!File.Exists(Small))
    {
        Console.WriteLine($"No {Samples} here (the samples' 'train' writes it): training a small model into {Small} ...");
        SmallModel.Train(Small);
    }
    return Small;
}
