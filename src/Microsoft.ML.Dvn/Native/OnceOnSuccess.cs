namespace Microsoft.ML.Dvn.Native;

/// <summary>
/// A value computed at the first call that succeeds, then kept. Unlike <see cref="Lazy{T}"/>, whose thread-safe modes
/// keep the first exception for the life of the process, a call that throws keeps nothing: after the cause is fixed (an
/// environment variable, a missing library), the next call computes again. Calls are serialized until one succeeds.
/// </summary>
internal sealed class OnceOnSuccess<T>(Func<T> compute) where T : class
{
    private readonly object _gate = new();
    private T? _value;

    public T Value
    {
        get
        {
            if (Volatile.Read(ref _value) is T value)
                return value;
            lock (_gate)
            {
                if (_value is null)
                    Volatile.Write(ref _value, compute());
                return _value!;
            }
        }
    }
}
