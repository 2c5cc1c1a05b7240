namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// A worker's claim on a configuration while it trains: renewed every third of the lease by a timer; on dispose, a
/// claim whose result was not written is released (its lease ended now), so a sweep stopped by its budget or a
/// cancellation leaves the configuration to the next worker at once.
/// </summary>
internal sealed class StudyLease : IDisposable
{
    private readonly StudyStore _store;
    private readonly int _trial, _epochs;
    private readonly string _worker;
    private readonly Action<string> _warn;
    private readonly Timer _timer;
    private int _lost;

    public StudyLease(StudyStore store, int trial, int epochs, string worker, Action<string> warn)
    {
        (_store, _trial, _epochs, _worker, _warn) = (store, trial, epochs, worker, warn);
        var period = store.Lease / 3;
        _timer = new Timer(_ => Renew(), null, period, period);
    }

    public void Dispose()
    {
        using (var stopped = new ManualResetEvent(false))
        {
            // Waits for a renewal under way, so none comes after the release below.
            if (_timer.Dispose(stopped))
                stopped.WaitOne();
        }
        try
        {
            _store.Release(_trial, _epochs, _worker);
        }
        catch (InvalidOperationException e)
        {
            _warn($"The claim on trial {_trial} at {_epochs} epochs was not released ({e.Message}); other workers take it when its lease ends.");
        }
    }

    private void Renew()
    {
        try
        {
            if (!_store.Renew(_trial, _epochs, _worker) && Interlocked.Exchange(ref _lost, 1) == 0)
                _warn($"Trial {_trial} at {_epochs} epochs: this worker's lease ran out and another worker took the trial over; " +
                      "both run it, the first result written is kept.");
        }
        catch (InvalidOperationException e)
        {
            _warn($"Trial {_trial} at {_epochs} epochs: the lease could not be renewed ({e.Message}); the worker goes on.");
        }
    }
}
