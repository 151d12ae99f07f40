namespace MtaSts;

/// <summary>
/// One cached policy (Decision 23): the parsed policy with its raw text, the TXT id seen before the fetch, and when
/// it was fetched and expires. Carries the resolutions handed out on cache hits, so that a hit allocates nothing.
/// </summary>
internal sealed class PolicyCacheEntry : CacheEntry
{
    private int _recordCheckRunning;
    private long _persistedLastUsedUtcTicks;
    private long _nextRefreshUtcTicks;

    public PolicyCacheEntry(string policyDomain, MtaStsPolicy policy, string policyId, DateTimeOffset fetchedAt, DateTimeOffset nextRefreshAt, TimeSpan recordCheckInterval, DateTimeOffset? lastUsed = null)
        : this(new PolicyResolution(policyDomain, PolicyResolutionStatus.Cached, policy, policyId, fetchedAt, fetchedAt + policy.MaxAge), (lastUsed ?? fetchedAt).UtcTicks, (fetchedAt + recordCheckInterval).UtcTicks) =>
        _nextRefreshUtcTicks = nextRefreshAt.UtcTicks;

    private PolicyCacheEntry(PolicyResolution cached, long lastUsedUtcTicks, long nextRecordCheckUtcTicks)
        : base(cached.PolicyDomain, 0, cached.ExpiresAt!.Value.UtcTicks, cached, lastUsedUtcTicks, nextRecordCheckUtcTicks, isNegative: false) => Cached = cached;

    public MtaStsPolicy Policy => Cached.Policy!;

    /// <summary>Gets the TXT id observed before the fetch (RFC 8461 §8.1; checklist D.10).</summary>
    public string PolicyId => Cached.PolicyId!;

    public DateTimeOffset FetchedAt => Cached.FetchedAt!.Value;

    public DateTimeOffset ExpiresAt => Cached.ExpiresAt!.Value;

    /// <summary>Gets when the proactive refresh re-fetches this policy (Decision 27); moved on after a failed refresh.</summary>
    public DateTimeOffset NextRefreshAt => new(Volatile.Read(ref _nextRefreshUtcTicks), TimeSpan.Zero);

    /// <summary>Gets the resolution for a cache hit with nothing to report.</summary>
    public PolicyResolution Cached { get; }

    public bool IsRecordCheckRunning => Volatile.Read(ref _recordCheckRunning) != 0;

    /// <summary>Gets a value indicating whether a use newer than the stored one by more than a day has not been written to the durable store.</summary>
    public bool LastUsedNeedsPersisting => LastUsed.UtcTicks - Volatile.Read(ref _persistedLastUsedUtcTicks) > TimeSpan.TicksPerDay;

    /// <summary>Moves the next proactive refresh, for example after one failed.</summary>
    public void RescheduleRefresh(DateTimeOffset at) => Volatile.Write(ref _nextRefreshUtcTicks, at.UtcTicks);

    /// <summary>Sets what later cache hits report: a failure met while re-checking or refreshing, or nothing.</summary>
    public void SetReportedFailure(TlsRptResultType? resultType, string? reasonCode)
    {
        // Checklist D.6/D.8: a cached "none" policy raises no refresh failures.
        SetCurrent(resultType is null || Policy.Mode == MtaStsMode.None ? Cached : Cached.WithFailure(resultType, reasonCode));
    }

    /// <summary>Records that the durable store holds this entry with <paramref name="lastUsed"/>.</summary>
    public void MarkPersisted(DateTimeOffset lastUsed) => Volatile.Write(ref _persistedLastUsedUtcTicks, lastUsed.UtcTicks);

    /// <summary>Claims the background TXT re-check; only one runs at a time.</summary>
    public bool TryBeginRecordCheck() => Interlocked.CompareExchange(ref _recordCheckRunning, 1, 0) == 0;

    public void EndRecordCheck(long nextCheckUtcTicks)
    {
        DeferRecordCheck(nextCheckUtcTicks);
        Volatile.Write(ref _recordCheckRunning, 0);
    }
}
