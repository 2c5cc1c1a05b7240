namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>How the service runs: its model, its address, its threads, its latency measurement and its reload check.</summary>
public sealed record ServingSettings
{
    /// <summary>The ML.NET model zip served, and watched for changes.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The TCP port on 127.0.0.1 (loopback only); 0 takes a free one. Default 5080.</summary>
    public int Port { get; init; } = 5080;

    /// <summary>
    /// libtorch's intra-op threads for every prediction (DvnRuntime.NumberOfThreads). Default 1: concurrent requests
    /// then share the cores instead of each fighting for all of them.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Counted rounds of the latency measurement at every load, when no table lies beside the model
    /// (DvnLatencyTable.PathBeside); 0 measures nothing, and latency budgets are then refused. Default 30.
    /// </summary>
    public int LatencyRounds { get; init; } = 30;

    /// <summary>How often the model file is checked for a change. Default 1 s.</summary>
    public TimeSpan ReloadCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows one request may carry, at most. Default 1,024.</summary>
    public int MaxRowsPerRequest { get; init; } = 1024;
}
