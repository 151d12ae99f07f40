using Microsoft.Extensions.Hosting;

namespace MtaSts;

/// <summary>
/// Runs <see cref="PolicyResolver.RefreshDueAsync"/> when the soonest refresh is due, so that policies in use are
/// re-fetched before they expire and an attacker who blocks one fetch cannot make a policy lapse (RFC 8461 §10.2). It
/// sleeps until the soonest due time, wakes early when a sooner one is scheduled, and looks at every entry at least once
/// per <see cref="PolicyResolver.SweepInterval"/>. Nothing but stopping ends it (issue-8 rule 7).
/// </summary>
internal sealed class PolicyRefreshService : BackgroundService
{
    private readonly PolicyResolver _resolver;
    private readonly TimeProvider _timeProvider;
    private long _wakeAtUtcTicks = long.MaxValue;
    private int _waiting;

    public PolicyRefreshService(PolicyResolver resolver, TimeProvider timeProvider)
    {
        _resolver = resolver;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets a value indicating whether the loop is asleep until <see cref="WakeAt"/> (for tests on fake time).</summary>
    internal bool IsWaiting => Volatile.Read(ref _waiting) != 0;

    /// <summary>Gets when the sleeping loop wakes at the latest.</summary>
    internal DateTimeOffset WakeAt => new(Volatile.Read(ref _wakeAtUtcTicks), TimeSpan.Zero);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Decision 27 / RFC 8461 §10.2: policies known before a restart apply again without network access.
            await _resolver.WarmUpAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _resolver.RefreshDueAsync(stoppingToken).ConfigureAwait(false);
                await WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // RefreshDueAsync already keeps per-domain failures to itself; whatever else happens, the loop goes on.
                await Task.Delay(TimeSpan.FromSeconds(1), _timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        // Capture the change signal before reading the schedule, so that a refresh scheduled in between wakes us.
        var changed = _resolver.RefreshScheduleChanged;
        var now = _timeProvider.GetUtcNow();
        var delay = PolicyResolver.SweepInterval;
        if (_resolver.NextRefreshDueAt is { } due)
        {
            var untilDue = due - now;
            delay = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < delay ? untilDue : delay;
        }

        if (delay == TimeSpan.Zero)
        {
            return;
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var sleep = Task.Delay(delay, _timeProvider, wake.Token);
        Volatile.Write(ref _wakeAtUtcTicks, (now + delay).UtcTicks);
        Volatile.Write(ref _waiting, 1);
        await Task.WhenAny(sleep, changed).ConfigureAwait(false);
        Volatile.Write(ref _waiting, 0);
        await wake.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
    }
}
