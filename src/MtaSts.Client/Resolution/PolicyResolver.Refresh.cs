namespace MtaSts;

internal sealed partial class PolicyResolver
{
    /// <summary>
    /// One pass of the proactive refresh (Decision 27; RFC 8461 §3.3 and §10.2): re-fetch policies in use whose refresh
    /// time has come (recently expired ones too, such as those loaded from the durable store after downtime), and drop entries unused for <see cref="MtaStsOptions.UnusedPolicyLifetime"/>.
    /// </summary>
    /// <returns>The number of policies refreshed successfully.</returns>
    internal async Task<int> RefreshDueAsync(CancellationToken cancellationToken)
    {
        var refreshed = 0;
        foreach (var entry in _store.Snapshot())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _clock.UtcNow;
            if (now - entry.LastUsed > _options.UnusedPolicyLifetime)
            {
                _store.Remove(entry);
                await RemoveDurableAsync(entry.PolicyDomain).ConfigureAwait(false);
                LogDroppedUnused(_logger, entry.PolicyDomain, entry.LastUsed);
                continue;
            }

            if (now < entry.NextRefreshAt)
            {
                if (entry.LastUsedNeedsPersisting)
                {
                    // Keeps the durable store's idea of "unused" close to the truth without a write per delivery.
                    await SaveDurableAsync(entry).ConfigureAwait(false);
                }

                continue;
            }

            try
            {
                var resolution = await RunSharedAsync(entry.PolicyDomain, RefreshKind.Proactive, cancellationToken).ConfigureAwait(false);
                if (resolution.Status == PolicyResolutionStatus.Fetched)
                {
                    refreshed++;
                }
                else if (resolution.FailureResultType is { } failure)
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
        }

        return refreshed;
    }
}
