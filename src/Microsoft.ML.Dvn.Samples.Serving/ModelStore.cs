namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// The model being served, swapped whole when its file changes: a request takes a lease on the current model
/// (<see cref="Acquire"/>) and runs on it to the end, so a reload never fails a request under way, and a file that
/// fails to load leaves the served model as it is. A replaced model is retired when its last request ends: its
/// PredictionEngines are disposed, one full garbage collection frees its network's native memory (libtorch's tensors
/// are freed by their finalizers, and the collector does not see their size, so without it a replaced model's weights
/// would wait for a collection the managed heap happens to need), and <see cref="DvnRuntime.ReleaseFreedNativeMemory"/>
/// gives the freed pages back to the system (the library's allocator tuning keeps them otherwise).
/// </summary>
public sealed class ModelStore
{
    private readonly ServingSettings _settings;
    private readonly object _reloading = new();
    private volatile ServedModel _current;
    private int _reloads;
    private int _liveModels = 1;

    /// <summary>Loads the model file; a file that does not load throws, and the service does not start.</summary>
    public ModelStore(ServingSettings settings)
    {
        _settings = settings;
        _current = ServedModel.Load(settings.ModelPath, File.ReadAllBytes(settings.ModelPath), settings);
    }

    /// <summary>The model new requests get; for its description (tasks, levels, checksum). To predict, take a lease.</summary>
    public ServedModel Current => _current;

    /// <summary>Models loaded and not yet retired: 1, or 2 while requests that started before a reload are under way.</summary>
    public int LiveModels => Volatile.Read(ref _liveModels);

    /// <summary>A hold on the current model for one request; dispose it when the request is done.</summary>
    public ModelLease Acquire()
    {
        while (true)
        {
            var model = _current;
            // Fails only for a model retired between the read and here (a reload and its last request in between).
            if (model.TryAddReference())
                return new ModelLease(this, model);
        }
    }

    internal void Release(ServedModel model)
    {
        if (!model.RemoveReference())
            return;
        Interlocked.Decrement(ref _liveModels);
        _ = Task.Run(() =>
        {
            // Aggressive: the collector also decommits what it no longer needs (the two models' peak of the swap).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            DvnRuntime.ReleaseFreedNativeMemory();
        });
    }

    /// <summary>How many times a changed file replaced the model.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>The last reload that failed, with why; null after a successful one.</summary>
    public string? LastReloadError { get; private set; }

    /// <summary>
    /// Loads the file again if its contents changed (by checksum), and swaps the new model in once it is ready.
    /// Returns whether the served model changed.
    /// </summary>
    public bool ReloadIfChanged()
    {
        lock (_reloading)
        {
            try
            {
                var file = File.ReadAllBytes(_settings.ModelPath);
                if (Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)) == _current.Sha256)
                    return false;
                var replaced = _current;
                _current = ServedModel.Load(_settings.ModelPath, file, _settings, replacing: replaced);
                Interlocked.Increment(ref _liveModels);
                Interlocked.Increment(ref _reloads);
                // The store's own hold: the replaced model retires now, or when the last request on it ends.
                Release(replaced);
                LastReloadError = null;
                return true;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or FormatException or ArgumentException or UnauthorizedAccessException)
            {
                // A file being written, or a bad one: keep serving the model that works; the next change tries again.
                LastReloadError = $"{DateTimeOffset.UtcNow:u}: {e.GetType().Name}: {e.Message}";
                return false;
            }
        }
    }
}
