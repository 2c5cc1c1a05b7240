namespace Microsoft.ML.Dvn.Pipeline;

/// <summary>
/// ML.NET cancels through MLContext's cancellation, which only sets a flag on the environment; long work polls it
/// (every 100 ms) and turns it into a cancellation token.
/// </summary>
internal static class CancellationPolling
{
    /// <summary>A timer that cancels <paramref name="source"/> once <paramref name="requested"/> is true. Dispose it before the source.</summary>
    public static Timer Start(Func<bool> requested, CancellationTokenSource source) =>
        new(_ =>
        {
            try
            {
                if (requested())
                    source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // A tick that runs while the work returns and disposes the source: nothing left to cancel.
            }
        }, null, 100, 100);
}
