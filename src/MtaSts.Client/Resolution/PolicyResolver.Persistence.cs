namespace MtaSts;

internal sealed partial class PolicyResolver
{
    /// <summary>Clock skew tolerated between the machines of a fleet sharing a store.</summary>
    private static readonly TimeSpan FetchedAtSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Loads every record of the durable store into memory (called once at start). Records this process cannot use are
    /// ignored and left in the store (issue-8 rule 10: another machine, a newer version or a clock that differs may have
    /// written them; the writer's expiry removes them). Expired ones are kept in memory, not served, so that the proactive
    /// refresh can renew them.
    /// </summary>
    /// <returns>The number of policies loaded.</returns>
    internal async Task<int> WarmUpAsync(CancellationToken cancellationToken)
    {
        if (_durable is null)
        {
            return 0;
        }

        var loaded = 0;
        try
        {
            await foreach (var record in _durable.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                var entry = ToEntry(record, out var problem);
                if (entry is null)
                {
                    LogStoredRecordIgnored(_logger, record.PolicyDomain, problem!);
                    continue;
                }

                // Compare-and-swap: a policy a lookup fetched between the read and the store is never replaced by this
                // older record (it could be testing where the fetch found enforce).
                _store.TryGetPolicy(entry.PolicyDomain, out var current);
                if ((current is null || current.FetchedAt < entry.FetchedAt) && _store.TryReplacePolicy(entry, current))
                {
                    Reschedule(entry, entry.NextRefreshAt);
                    loaded++;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _telemetry.StoreFailed("list");
            LogStoreFailed(_logger, "list", ex);
        }

        LogWarmedUp(_logger, loaded);
        return loaded;
    }

    /// <summary>
    /// Reads a domain's record from the durable store into memory, if it is valid and newer than what memory holds.
    /// <c>ReadFailed</c> says the store could not be asked (an outage or a timeout): what it holds is then unknown.
    /// </summary>
    private async Task<(PolicyCacheEntry? Entry, bool ReadFailed)> LoadFromDurableAsync(string domain, PolicyCacheEntry? current, CancellationToken cancellationToken)
    {
        StoredPolicyRecord? record;
        try
        {
            using var timeout = StoreTimeout(cancellationToken);
            record = await _durable!.GetAsync(domain, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A store outage (or a store slower than StoreTimeout) is not "no policy": memory and the network still answer.
            _telemetry.StoreFailed("read");
            LogStoreFailed(_logger, "read", ex);
            return (null, true);
        }

        if (record is null)
        {
            return (null, false);
        }

        var entry = ToEntry(record, out var problem);
        if (entry is null || !string.Equals(entry.PolicyDomain, domain, StringComparison.Ordinal))
        {
            // Issue-8 rule 10: a reader never deletes what it cannot use; a fetch will write a record it can.
            LogStoredRecordIgnored(_logger, domain, problem ?? "stored under another domain");
            return (null, false);
        }

        if (current is not null && current.FetchedAt >= entry.FetchedAt)
        {
            return (null, false);
        }

        // Compare-and-swap: memory changed while the store was read (a concurrent refresh, the warm-up at start or another
        // lookup loaded the same record). Whatever memory holds now is at least as current as what was read: use it, so
        // that a policy loaded concurrently is never missed (a lookup that then failed to fetch would answer "no policy").
        if (!_store.TryReplacePolicy(entry, current))
        {
            return _store.TryGetPolicy(domain, out var winner) && !ReferenceEquals(winner, current) ? (winner, false) : (null, false);
        }

        Reschedule(entry, entry.NextRefreshAt);
        return (entry, false);
    }

    /// <summary>Rebuilds a cache entry from a stored record, trusting nothing: the text is parsed again and must agree with the stored times.</summary>
    private PolicyCacheEntry? ToEntry(StoredPolicyRecord record, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(record.PolicyDomain))
        {
            problem = "the record could not be read (corrupt, or written in another schema version)";
            return null;
        }

        if (!PolicyDomainName.LooksNormalized(record.PolicyDomain) || !DomainNameSyntax.IsLdhDomain(record.PolicyDomain))
        {
            problem = "the domain is not in normal form";
            return null;
        }

        if (record.PolicyId is null || !MtaStsRecord.TryParse("v=STSv1; id=" + record.PolicyId, out var parsedId) || parsedId.Id != record.PolicyId)
        {
            problem = "the policy id is not 1-32 letters and digits";
            return null;
        }

        // Text seen before (the same provider's policy stored for many domains) was parsed and validated then.
        if (record.PolicyText is null || (!_policies.TryGet(record.PolicyText, out var policy) && !MtaStsPolicy.TryParse(record.PolicyText, out policy)))
        {
            problem = "the policy text does not parse";
            return null;
        }

        if (policy.MaxAge <= TimeSpan.Zero || record.ExpiresAt != record.FetchedAt + policy.MaxAge)
        {
            problem = "the expiry does not match the policy's max_age";
            return null;
        }

        // A proactive refresh keeps an old LastUsed with a new FetchedAt, so only times in the future are inconsistent.
        var now = _clock.UtcNow;
        if (record.FetchedAt > now + FetchedAtSkew || record.LastUsed > now + FetchedAtSkew)
        {
            problem = "the timestamps are in the future (clock skew between machines?)";
            return null;
        }

        var entry = new PolicyCacheEntry(record.PolicyDomain, _policies.Intern(policy), record.PolicyId, record.FetchedAt, NextRefresh(record.FetchedAt, policy), _options.RecordCheckInterval, record.LastUsed);
        entry.MarkPersisted(record.LastUsed);
        return entry;
    }

    /// <summary>A token that ends a single store operation after <see cref="MtaStsOptions.StoreTimeout"/>, or with <paramref name="cancellationToken"/>.</summary>
    private LinkedTimeout StoreTimeout(CancellationToken cancellationToken) => new(_options.StoreTimeout, _clock.TimeProvider, cancellationToken);

    private async Task SaveDurableAsync(PolicyCacheEntry entry)
    {
        if (_durable is null)
        {
            return;
        }

        var lastUsed = entry.LastUsed;
        try
        {
            using var timeout = StoreTimeout(_lifetime.Token);
            await _durable.SetAsync(new StoredPolicyRecord(entry.PolicyDomain, entry.PolicyId, entry.Policy.Text, entry.FetchedAt, entry.ExpiresAt, lastUsed), timeout.Token).ConfigureAwait(false);
            entry.MarkPersisted(lastUsed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_lifetime.IsCancellationRequested)
        {
            // The policy is in memory and applies; the next write (a refresh) tries again.
            _telemetry.StoreFailed("write");
            LogStoreFailed(_logger, "write", ex);
        }
    }

    private async Task RemoveDurableAsync(string domain)
    {
        if (_durable is null)
        {
            return;
        }

        try
        {
            using var timeout = StoreTimeout(_lifetime.Token);
            await _durable.RemoveAsync(domain, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_lifetime.IsCancellationRequested)
        {
            _telemetry.StoreFailed("remove");
            LogStoreFailed(_logger, "remove", ex);
        }
    }
}
