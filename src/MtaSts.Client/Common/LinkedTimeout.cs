namespace MtaSts;

/// <summary>A cancellation token that fires after a time on a <see cref="TimeProvider"/>'s clock, or when another token fires.</summary>
internal sealed class LinkedTimeout : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public LinkedTimeout(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _timer = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Gets a value indicating whether the time ran out (as opposed to the other token firing).</summary>
    public bool HasExpired => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
