using System.Diagnostics;

namespace MtaSts;

internal sealed partial class PolicyResolver
{
    /// <summary>
    /// Discovery and fetch for one domain (RFC 8461 §3, §5.1 step 1; checklist D.3–D.7). Never throws for DNS,
    /// HTTPS or policy errors, and never removes or weakens a valid cached policy because of one (Decision 24).
    /// </summary>
    private async Task<PolicyResolution> ResolveFromNetworkAsync(string domain, RefreshKind kind, CancellationToken cancellationToken)
    {
        if (kind == RefreshKind.OnDemand && _store.TryGet(domain, out var cached) && cached.IsValidAt(_clock.UtcNow.UtcTicks))
        {
            // A caller that missed the cache just before another's lookup stored its answer (and left the single-flight
            // table): the answer is here now, no need to ask DNS again.
            return cached.Current;
        }

        _store.TryGetPolicy(domain, out var entry);
        var durableUnknown = false;
        if (_durable is not null && kind != RefreshKind.Proactive && (entry is null || !entry.IsValidAt(_clock.UtcNow.UtcTicks)))
        {
            // A policy another process (or this one, before a restart) fetched: RFC 8461 §10.2.
            var (loaded, readFailed) = await LoadFromDurableAsync(domain, entry, cancellationToken).ConfigureAwait(false);
            durableUnknown = readFailed;
            if (loaded is not null)
            {
                entry = loaded;
                if (kind == RefreshKind.OnDemand && loaded.IsValidAt(_clock.UtcNow.UtcTicks))
                {
                    return Resolved(loaded.Current);
                }
            }
        }

        var valid = entry is not null && entry.IsValidAt(_clock.UtcNow.UtcTicks) ? entry : null;

        TxtLookupResult txt;
        using (var activity = _telemetry.ActivitySource.StartActivity("mtasts.discovery", ActivityKind.Client))
        {
            activity?.SetTag("mtasts.policy_domain", domain);
            activity?.SetTag("dns.question.name", "_mta-sts." + domain);
            txt = await _dns.LookupTxtAsync("_mta-sts." + domain, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("mtasts.txt.status", txt.Status.ToString());
            if (txt.Status == DnsLookupStatus.TemporaryFailure)
            {
                activity?.SetStatus(ActivityStatusCode.Error, txt.Error);
                activity?.SetTag("error.type", txt.Error);
            }
        }

        string? policyId = null;
        string? recordProblem = null;
        var noRecord = false;
        switch (txt.Status)
        {
            case DnsLookupStatus.TemporaryFailure:
                recordProblem = txt.Error ?? ReasonCodes.DnsTransportError;
                break;
            case DnsLookupStatus.NotFound:
                recordProblem = ReasonCodes.TxtRecordNotFound;
                noRecord = true;
                break;
            default:
                // Decision 2: exactly one candidate, and it must be valid.
                if (MtaStsRecord.TryParseRecordSet(txt.Records, out var record))
                {
                    policyId = record.Id;
                    break;
                }

                var candidates = txt.Records.Count(r => TxtFieldReader.IsCandidate(r, MtaStsRecord.Version));
                noRecord = candidates == 0;
                recordProblem = candidates switch
                {
                    0 => ReasonCodes.TxtRecordNotFound,
                    1 => ReasonCodes.TxtRecordInvalid,
                    _ => ReasonCodes.TxtRecordMultiple,
                };
                break;
        }

        if (policyId is null)
        {
            LogNoUsableRecord(_logger, domain, recordProblem!, valid is not null);

            // Checklist D.7: the proactive refresh fetches "regardless of the state of the TXT record".
            if (kind == RefreshKind.Proactive && entry is not null)
            {
                return await FetchAsync(domain, entry.PolicyId, entry, valid, kind, cancellationToken).ConfigureAwait(false);
            }

            if (valid is not null)
            {
                // RFC 8461 §3.1/§3.3: a missing, invalid or unreachable record does not end a valid cached policy (D.5).
                valid.SetReportedFailure(TlsRptResultType.StsPolicyFetchError, recordProblem);
                DeferNextRecordCheck(valid);
                return Resolved(valid.Current);
            }

            if (entry is not null && noRecord)
            {
                // Expired and no record any more: the domain has left MTA-STS (checklist D.6). Only this memory forgets
                // it: the durable store is shared and may hold a newer record this process cannot see or use (issue-8
                // rule 10); an expired record there is never served, and the unused sweep removes it.
                _store.Remove(entry);
            }

            var status = txt.Status == DnsLookupStatus.TemporaryFailure && _options.DeferOnTemporaryFailure
                ? PolicyResolutionStatus.TemporaryFailure
                : PolicyResolutionStatus.NoPolicy;

            // Without a record there is no policy whose failure could be reported; the reason is kept for logs.
            var none = new PolicyResolution(domain, status, failureReasonCode: recordProblem);
            if (noRecord && kind != RefreshKind.Proactive && !durableUnknown)
            {
                // Not after a failed store read: the next delivery must look at the store again.
                CacheNoPolicy(none, txt.TimeToLive);
            }

            return Resolved(none);
        }

        if (valid is not null && kind != RefreshKind.Proactive && string.Equals(valid.PolicyId, policyId, StringComparison.Ordinal))
        {
            // Same id: the cached policy is current (RFC 8461 §5.1 step 1, D.3 item 4).
            valid.SetReportedFailure(null, null);
            DeferNextRecordCheck(valid);
            _telemetry.RecordChecked("unchanged");
            return Resolved(valid.Current);
        }

        if (valid is not null && kind == RefreshKind.RecordCheck)
        {
            LogIdChanged(_logger, domain, valid.PolicyId, policyId);
        }

        return await FetchAsync(domain, policyId, entry, valid, kind, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PolicyResolution> FetchAsync(
        string domain, string policyId, PolicyCacheEntry? entry, PolicyCacheEntry? valid, RefreshKind kind, CancellationToken cancellationToken)
    {
        var now = _clock.UtcNow;
        if (_backoff.IsBackedOff(domain, policyId, now))
        {
            // Decision 22: no new fetch for this (domain, id) yet; act as if the fetch failed (checklist B.11).
            LogBackedOff(_logger, domain, policyId);
            return Failed(domain, valid, TlsRptResultType.StsPolicyFetchError, "fetch-backoff");
        }

        var result = await _fetcher.FetchAsync(domain, cancellationToken).ConfigureAwait(false);
        if (result.Policy is null)
        {
            _backoff.RecordFailure(domain, policyId, _clock.UtcNow);
            if (kind != RefreshKind.OnDemand && entry is not null)
            {
                _telemetry.RefreshFailed(kind == RefreshKind.Proactive ? "proactive" : "record_check");
            }

            return Failed(domain, valid, result.ResultType!.Value, result.ReasonCode!);
        }

        _backoff.Clear(domain, policyId);
        var fetchedAt = _clock.UtcNow;
        var policy = _policies.Intern(result.Policy);
        if (policy.MaxAge <= TimeSpan.Zero)
        {
            // K.49: max_age 0 applies to this delivery only; it still supersedes what was cached.
            if (entry is not null)
            {
                _store.Remove(entry);
                await RemoveDurableAsync(domain).ConfigureAwait(false);
            }

            return Resolved(new PolicyResolution(domain, PolicyResolutionStatus.Fetched, policy, policyId, fetchedAt, fetchedAt));
        }

        // Decision 23/24: a fetched policy, "none" included, replaces the entry; the id is the one seen before the fetch.
        // A proactive refresh is not a use: it must not keep an unused policy alive for ever (Decision 27).
        var lastUsed = kind == RefreshKind.Proactive && entry is not null ? entry.LastUsed : fetchedAt;
        var fresh = new PolicyCacheEntry(domain, policy, policyId, fetchedAt, NextRefresh(fetchedAt, policy), _options.RecordCheckInterval, lastUsed);

        StoreEntry(fresh);
        await SaveDurableAsync(fresh).ConfigureAwait(false);
        if (entry is null || !string.Equals(entry.PolicyId, policyId, StringComparison.Ordinal))
        {
            LogPolicyStored(_logger, domain, policyId, policy.Mode, fresh.ExpiresAt);
        }

        return Resolved(fresh.Cached.WithStatus(PolicyResolutionStatus.Fetched));
    }

    private PolicyResolution Failed(string domain, PolicyCacheEntry? valid, TlsRptResultType resultType, string reasonCode)
    {
        if (valid is not null)
        {
            // RFC 8461 §3.3: "If a valid cached policy exists, senders MUST apply it".
            valid.SetReportedFailure(resultType, reasonCode);
            DeferNextRecordCheck(valid);
            LogKeptCachedPolicy(_logger, domain, valid.PolicyId, resultType.ToResultTypeString(), reasonCode);
            return Resolved(valid.Current);
        }

        // RFC 8461 §3.3: without one, deliver as if the domain had no MTA-STS policy, and report the failure.
        return Resolved(new PolicyResolution(domain, PolicyResolutionStatus.NoPolicy, failureResultType: resultType, failureReasonCode: reasonCode));
    }

    private PolicyResolution Resolved(PolicyResolution resolution)
    {
        _telemetry.Resolved(resolution.Status, resolution.FailureResultType);
        return resolution;
    }

    /// <summary>
    /// Issue 11: an authoritative "no policy" is cached for its DNS TTL, clamped to the configured bounds, so that mail to
    /// the many domains without MTA-STS costs no TXT query each time. Never over a valid cached policy: this is only
    /// reached when there is none.
    /// </summary>
    private void CacheNoPolicy(PolicyResolution resolution, TimeSpan? timeToLive)
    {
        var maximum = _options.NegativeCacheMaximum;
        if (maximum <= TimeSpan.Zero)
        {
            return;
        }

        var ttl = timeToLive ?? _options.NegativeCacheMinimum;
        ttl = ttl < _options.NegativeCacheMinimum ? _options.NegativeCacheMinimum : ttl > maximum ? maximum : ttl;
        // Compare-and-swap: a policy a concurrent refresh stored meanwhile is never replaced by "no policy".
        var now = _clock.UtcNow;
        _store.TrySetNegative(new NegativeCacheEntry(resolution.PolicyDomain, resolution, now, now + ttl), expected: null);
    }

    private void DeferNextRecordCheck(PolicyCacheEntry entry) =>
        entry.DeferRecordCheck((_clock.UtcNow + _options.RecordCheckInterval).UtcTicks);
}
