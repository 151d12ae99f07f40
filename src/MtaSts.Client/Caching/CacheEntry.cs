namespace MtaSts;

/// <summary>
/// What the memory cache holds for one policy domain: a policy (<see cref="PolicyCacheEntry"/>) or the answer that the
/// domain has none (<see cref="NegativeCacheEntry"/>). The cache-hit path reads only what is here: the expiry and the
/// resolution to hand out, both fixed when the entry is made, so a hit allocates nothing.
/// </summary>
internal abstract class CacheEntry
{
    private PolicyResolution _current;
    private long _lastUsedUtcTicks;
    private long _nextRecordCheckUtcTicks;

    protected CacheEntry(string policyDomain, long notBeforeUtcTicks, long expiresAtUtcTicks, PolicyResolution current, long lastUsedUtcTicks, long nextRecordCheckUtcTicks, bool isNegative)
    {
        PolicyDomain = policyDomain;
        NotBeforeUtcTicks = notBeforeUtcTicks;
        ExpiresAtUtcTicks = expiresAtUtcTicks;
        SoftExpiresAtUtcTicks = expiresAtUtcTicks - PolicyClock.CoarsePeriod.Ticks;
        _current = current;
        _lastUsedUtcTicks = lastUsedUtcTicks;
        _nextRecordCheckUtcTicks = nextRecordCheckUtcTicks;
        IsNegative = isNegative;
    }

    /// <summary>Gets a value indicating whether this is a cached "no policy" answer (<see cref="NegativeCacheEntry"/>).</summary>
    public bool IsNegative { get; }

    public DateTimeOffset LastUsed => new(Volatile.Read(ref _lastUsedUtcTicks), TimeSpan.Zero);

    /// <summary>Gets when the TXT id is re-checked in the background next; never for a "no policy" answer.</summary>
    public long NextRecordCheckUtcTicks => Volatile.Read(ref _nextRecordCheckUtcTicks);

    /// <summary>Records a use. Writes at most once a second so that a hot entry's cache line is not bounced between cores.</summary>
    public void Touch(long utcTicks)
    {
        if (utcTicks - Volatile.Read(ref _lastUsedUtcTicks) > TimeSpan.TicksPerSecond)
        {
            Volatile.Write(ref _lastUsedUtcTicks, utcTicks);
        }
    }

    /// <summary>Moves the next background re-check, for example after a synchronous one.</summary>
    public void DeferRecordCheck(long nextCheckUtcTicks) => Volatile.Write(ref _nextRecordCheckUtcTicks, nextCheckUtcTicks);

    public string PolicyDomain { get; }

    /// <summary>
    /// Gets the earliest time at which the entry is valid: 0 (the start of time) for a policy (a clock stepped back
    /// keeps a policy longer, which is never weaker); when it was made for a "no policy" answer, so that a clock stepped
    /// back does not stretch that answer by the size of the step.
    /// </summary>
    public long NotBeforeUtcTicks { get; }

    public long ExpiresAtUtcTicks { get; }

    /// <summary>
    /// Gets the expiry less the coarse clock's period: before it, a coarse reading is enough to know the entry is valid.
    /// The cache-hit path does not look at <see cref="NotBeforeUtcTicks"/>: a clock stepped back is caught by
    /// <see cref="PolicyClock"/>, which then drops the "no policy" answers made "in the future".
    /// </summary>
    public long SoftExpiresAtUtcTicks { get; }

    /// <summary>Gets the resolution a cache hit returns.</summary>
    public PolicyResolution Current => Volatile.Read(ref _current);

    public bool IsValidAt(long utcTicks) => utcTicks < ExpiresAtUtcTicks && utcTicks >= NotBeforeUtcTicks;

    protected void SetCurrent(PolicyResolution current) => Volatile.Write(ref _current, current);
}
