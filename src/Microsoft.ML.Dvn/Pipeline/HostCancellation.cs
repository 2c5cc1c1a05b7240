using Microsoft.ML.Runtime;

namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// A cancellation token that follows an ML.NET host: ML.NET cancels through MLContext.CancelExecution, which sets a
/// flag on the environment; this polls it every 100 ms.
/// </summary>
internal sealed class HostCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly Timer _poll;

    public HostCancellation(IHost host) =>
        _poll = new Timer(_ => { if (((ICancelable)host).IsCanceled) _source.Cancel(); }, null, 100, 100);

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _poll.Dispose();
        _source.Dispose();
    }
}
