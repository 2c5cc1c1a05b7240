namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// The model being served, swapped whole when its file changes: a request takes <see cref="Current"/> once and runs on
/// it to the end, so a reload never fails a request under way, and a file that fails to load leaves the served model
/// as it is.
/// </summary>
public sealed class ModelStore
{
    private readonly ServingSettings _settings;
    private readonly object _reloading = new();
    private volatile ServedModel _current;
    private int _reloads;

    /// <summary>Loads the model file; a file that does not load throws, and the service does not start.</summary>
    public ModelStore(ServingSettings settings)
    {
        _settings = settings;
        _current = ServedModel.Load(settings.ModelPath, File.ReadAllBytes(settings.ModelPath), settings);
    }

    public ServedModel Current => _current;

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
                _current = ServedModel.Load(_settings.ModelPath, file, _settings, replacing: _current);
                Interlocked.Increment(ref _reloads);
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
