namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// Checks the model file's time stamp and length every <see cref="ServingSettings.ReloadCheckInterval"/> and reloads
/// the model when they changed and then stayed the same for one more check (a file still being written is not read).
/// Polling, not file-system events: it works the same on every file system, including network and container mounts.
/// Replace the file atomically (write beside it, then rename over it) and a half-written model is never even tried.
/// </summary>
public sealed class ModelFileWatcher(ModelStore store, ServingSettings settings, ILogger<ModelFileWatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = Stamp();
        (DateTime, long)? changed = null;
        using var timer = new PeriodicTimer(settings.ReloadCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Stamp();
            if (now == seen)
                continue;
            if (changed != now)
            {
                changed = now;
                continue;
            }
            seen = now;
            changed = null;
            // Loading (and measuring latency) is slow: off the timer's thread, so requests keep their threads.
            bool swapped = await Task.Run(store.ReloadIfChanged, stoppingToken);
            if (swapped)
                log.LogInformation("Reloaded {Path}: SHA-256 {Sha256}, latency {Latency}.", settings.ModelPath, store.Current.Sha256, store.Current.LatencySource);
            else if (store.LastReloadError is string error)
                log.LogWarning("{Path} changed but did not load; still serving SHA-256 {Sha256}. {Error}", settings.ModelPath, store.Current.Sha256, error);
        }
    }

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(settings.ModelPath);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1);
    }
}
