namespace MtaSts.MailKit;

/// <summary>
/// The clocks of one SMTP session (issue-8 rule 8): an overall deadline (<see cref="MtaStsDeliveryOptions.SessionTimeout"/>)
/// and an inactivity timer (<see cref="MtaStsDeliveryOptions.CommandTimeout"/>) that every byte re-arms, linked with the
/// delivery's own token. A tarpit costs at most the sooner of the two.
/// </summary>
internal sealed class SessionTimers : IDisposable
{
    private readonly TimeSpan _inactivityTimeout;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _inactivity;
    private readonly CancellationTokenSource _linked;

    public SessionTimers(MtaStsDeliveryOptions options, TimeProvider timeProvider, CancellationToken deliveryToken)
    {
        _inactivityTimeout = options.CommandTimeout;
        _deadline = new CancellationTokenSource(options.SessionTimeout, timeProvider);
        _inactivity = new CancellationTokenSource(options.CommandTimeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(deliveryToken, _deadline.Token, _inactivity.Token);
    }

    public CancellationToken Token => _linked.Token;

    public bool DeadlineExpired => _deadline.IsCancellationRequested;

    public bool InactivityExpired => _inactivity.IsCancellationRequested;

    /// <summary>Re-arms the inactivity timer: the server sent, or took, some bytes.</summary>
    public void Activity()
    {
        try
        {
            _inactivity.CancelAfter(_inactivityTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The session is over; a late read completing changes nothing.
        }
    }

    public void Dispose()
    {
        _linked.Dispose();
        _inactivity.Dispose();
        _deadline.Dispose();
    }
}
