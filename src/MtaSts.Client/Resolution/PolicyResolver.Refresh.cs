namespace MtaSts;

internal sealed partial class PolicyResolver
{
    /// <summary>How often the refresh loop looks at every entry (drop the unused, persist last-use times), at most.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);

    /// <summary>The shortest time between two proactive refreshes of one policy, however small its <c>max_age</c>.</summary>
    internal static readonly TimeSpan MinimumRefreshDelay = TimeSpan.FromMinutes(1);

    private readonly object _refreshLock = new();
    private readonly PriorityQueue<PolicyCacheEntry, long> _refreshQueue = new();
    private TaskCompletionSource _refreshScheduleChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSweepUtcTicks;

    /// <summary>Gets when the soonest proactive refresh is due, or <see langword="null"/> when none is scheduled.</summary>
    internal DateTimeOffset? NextRefreshDueAt
    {
        get
        {
            lock (_refreshLock)
            {
                return _refreshQueue.TryPeek(out _, out var due) ? new DateTimeOffset(due, TimeSpan.Zero) : null;
            }
        }
    }

    /// <summary>Gets a task that completes when a refresh is scheduled earlier than every one before it (wakes the refresh loop).</summary>
    internal Task RefreshScheduleChanged
    {
        get
        {
            lock (_refreshLock)
            {
                return _refreshScheduleChanged.Task;
            }
        }
    }

    /// <summary>
    /// Runs the proactive refreshes that are due (Decision 27; RFC 8461 §3.3 and §10.2; issue-8 rule 3): each policy in use
    /// is re-fetched at half its <c>max_age</c> (at most <see cref="MtaStsOptions.RefreshInterval"/>, jittered), so that it is
    /// renewed before it expires; a failed refresh is tried again after <see cref="MtaStsOptions.FetchBackoff"/>. A policy not
    /// used within <see cref="MtaStsOptions.RefreshUsedWithin"/> is not refreshed (receivers object to fetches that no mail
    /// follows). Once per <see cref="SweepInterval"/> every entry is looked at: those unused for
    /// <see cref="MtaStsOptions.UnusedPolicyLifetime"/> are dropped.
    /// </summary>
    /// <returns>The number of policies refreshed successfully.</returns>
    internal async Task<int> RefreshDueAsync(CancellationToken cancellationToken)
    {
        var refreshed = 0;
        if (_clock.UtcNow.UtcTicks - Volatile.Read(ref _lastSweepUtcTicks) >= SweepInterval.Ticks)
        {
            await SweepAsync(cancellationToken).ConfigureAwait(false);
        }

        while (TryTakeDue(_clock.UtcNow, out var entry))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _clock.UtcNow;
            if (now - entry.LastUsed > _options.RefreshUsedWithin)
            {
                // Not in use: no fetch. Look again later while the policy is valid, in case mail to the domain resumes.
                if (entry.IsValidAt(now.UtcTicks))
                {
                    Reschedule(entry, now + Jittered(_options.RefreshInterval));
                }

                continue;
            }

            try
            {
                var resolution = await RunSharedAsync(entry.PolicyDomain, RefreshKind.Proactive, cancellationToken).ConfigureAwait(false);
                if (resolution.Status == PolicyResolutionStatus.Fetched)
                {
                    refreshed++;
                    continue;
                }

                if (resolution.FailureResultType is { } failure)
                {
                    // Checklist D.8: alert on refresh failures well before the policy expires.
                    LogRefreshFailed(_logger, entry.PolicyDomain, failure.ToResultTypeString(), resolution.FailureReasonCode, entry.ExpiresAt);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The resolver is being disposed.
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // Issue-8 rule 7: the refresh loop survives anything; the policy stays in force until it expires.
                LogBackgroundCheckFailed(_logger, entry.PolicyDomain, ex);
            }

            if (_store.TryGetPolicy(entry.PolicyDomain, out var current) && ReferenceEquals(current, entry))
            {
                // RFC 8461 §3.3: no new fetch for at least the back-off; then try again, still before expiry if possible.
                Reschedule(entry, _clock.UtcNow + Jittered(_options.FetchBackoff));
            }
        }

        return refreshed;
    }

    /// <summary>Stores <paramref name="entry"/> in memory and schedules its proactive refresh.</summary>
    private void StoreEntry(PolicyCacheEntry entry)
    {
        _store.Set(entry);
        Reschedule(entry, entry.NextRefreshAt);
    }

    private void Reschedule(PolicyCacheEntry entry, DateTimeOffset at)
    {
        entry.RescheduleRefresh(at);
        TaskCompletionSource? changed = null;
        lock (_refreshLock)
        {
            var earliest = _refreshQueue.TryPeek(out _, out var first) ? first : long.MaxValue;
            _refreshQueue.Enqueue(entry, at.UtcTicks);
            if (at.UtcTicks < earliest)
            {
                changed = _refreshScheduleChanged;
                _refreshScheduleChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        changed?.TrySetResult();
    }

    /// <summary>Takes the next due entry; skips queue items made stale by a newer entry or a later schedule.</summary>
    private bool TryTakeDue(DateTimeOffset now, out PolicyCacheEntry entry)
    {
        lock (_refreshLock)
        {
            while (_refreshQueue.TryPeek(out entry!, out var due) && due <= now.UtcTicks)
            {
                _refreshQueue.Dequeue();
                if (entry.NextRefreshAt.UtcTicks == due && _store.TryGetPolicy(entry.PolicyDomain, out var current) && ReferenceEquals(current, entry))
                {
                    return true;
                }
            }
        }

        entry = null!;
        return false;
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastSweepUtcTicks, _clock.UtcNow.UtcTicks);
        _store.RemoveExpiredNegatives(_clock.UtcNow.UtcTicks);
        _policies.Prune();
        foreach (var entry in _store.Snapshot())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _clock.UtcNow;
            if (now - entry.LastUsed > _options.UnusedPolicyLifetime)
            {
                _store.Remove(entry);
                await RemoveDurableAsync(entry.PolicyDomain).ConfigureAwait(false);
                LogDroppedUnused(_logger, entry.PolicyDomain, entry.LastUsed);
            }
            else if (entry.LastUsedNeedsPersisting)
            {
                // Keeps the durable store's idea of "unused" close to the truth without a write per delivery.
                await SaveDurableAsync(entry).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Decision 27 and issue-8 rule 3: the next proactive refresh of a policy fetched at <paramref name="fetchedAt"/>, at half
    /// its <c>max_age</c> and at most <see cref="MtaStsOptions.RefreshInterval"/> later, less up to 10% jitter, and never
    /// sooner than <see cref="MinimumRefreshDelay"/>.
    /// </summary>
    private DateTimeOffset NextRefresh(DateTimeOffset fetchedAt, MtaStsPolicy policy)
    {
        var half = TimeSpan.FromTicks(policy.MaxAge.Ticks / 2);
        var delay = Jittered(half < _options.RefreshInterval ? half : _options.RefreshInterval);
        return fetchedAt + (delay < MinimumRefreshDelay ? MinimumRefreshDelay : delay);
    }

    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.9 + (0.1 * Random.Shared.NextDouble()));
}
