namespace Microsoft.ML.Dvn.Samples.Serving;

/// <summary>
/// A request's hold on the model it runs on (<see cref="ModelStore.Acquire"/>): while any lease is open the model's
/// PredictionEngines stay usable, even after a reload swapped another model in; the last lease of a replaced model
/// retires it. Dispose it once, when the request is done.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private readonly ModelStore _store;
    private int _released;

    internal ModelLease(ModelStore store, ServedModel model)
    {
        _store = store;
        Model = model;
    }

    public ServedModel Model { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            _store.Release(Model);
    }
}
