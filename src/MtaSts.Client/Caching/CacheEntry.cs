namespace MtaSts;

/// <summary>
/// What the memory cache holds for one policy domain: a policy (<see cref="PolicyCacheEntry"/>) or the answer that the
/// domain has none (<see cref="NegativeCacheEntry"/>). The cache-hit path reads only what is here: the expiry and the
/// resolution to hand out, both fixed when the entry is made, so a hit allocates nothing.
/// </summary>
internal abstract class CacheEntry
{
    private PolicyResolution _current;

    protected CacheEntry(string policyDomain, long expiresAtUtcTicks, PolicyResolution current)
    {
        PolicyDomain = policyDomain;
        ExpiresAtUtcTicks = expiresAtUtcTicks;
        SoftExpiresAtUtcTicks = expiresAtUtcTicks - PolicyClock.CoarsePeriod.Ticks;
        _current = current;
    }

    public string PolicyDomain { get; }

    public long ExpiresAtUtcTicks { get; }

    /// <summary>Gets the expiry less the coarse clock's period: before it, a coarse reading is enough to know the entry is valid.</summary>
    public long SoftExpiresAtUtcTicks { get; }

    /// <summary>Gets the resolution a cache hit returns.</summary>
    public PolicyResolution Current => Volatile.Read(ref _current);

    public bool IsValidAt(long utcTicks) => utcTicks < ExpiresAtUtcTicks;

    protected void SetCurrent(PolicyResolution current) => Volatile.Write(ref _current, current);
}
