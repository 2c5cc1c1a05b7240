using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// A cancellation token that follows an ML.NET host (MLContext.CancelExecution, polled: see
/// <see cref="CancellationPolling"/>) and, linked, a caller's token (the sweep's).
/// </summary>
internal sealed class HostCancellation : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly Timer _poll;

    public HostCancellation(IHost host, CancellationToken linked)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(linked);
        _poll = CancellationPolling.Start(() => ((ICancelable)host).IsCanceled, _source);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _poll.Dispose();
        _source.Dispose();
    }
}
