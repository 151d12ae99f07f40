using Microsoft.Extensions.Caching.Memory;

namespace MtaSts;

/// <summary>
/// Decision 22 (RFC 8461 §3.3: "senders SHOULD wait at least 5 minutes before trying again"): after a failed fetch
/// no new fetch for the same domain and id until the back-off has passed. A new id may be fetched at once.
/// </summary>
/// <remarks>
/// A <see cref="SideTable"/> of at most <see cref="MaxEntries"/> failures, each expiring when its back-off ends on the
/// resolver's clock (the "now" every call carries). Under a flood of new ids the oldest failures are dropped first;
/// a dropped failure only allows one fetch sooner.
/// </remarks>
internal sealed class FetchBackoff
{
    internal const int MaxEntries = 10_000;

    private readonly ObservedClock _clock = new();
    private readonly MemoryCache _failures;
    private readonly TimeSpan _duration;

    public FetchBackoff(TimeSpan duration)
    {
        _duration = duration;
        _failures = SideTable.Create(MaxEntries, _clock);
    }

    /// <summary>Gets the number of failures held (for tests).</summary>
    internal int Count => _failures.Count;

    public bool IsBackedOff(string policyDomain, string policyId, DateTimeOffset now)
    {
        _clock.Observe(now);
        return _failures.TryGetValue((policyDomain, policyId), out _);
    }

    public void RecordFailure(string policyDomain, string policyId, DateTimeOffset now)
    {
        _clock.Observe(now);
        if (_duration > TimeSpan.Zero)
        {
            _failures.Set((policyDomain, policyId), true, SideTable.ExpiringAt(now + _duration));
        }
    }

    public void Clear(string policyDomain, string policyId) => _failures.Remove((policyDomain, policyId));
}
