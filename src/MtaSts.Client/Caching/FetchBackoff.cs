using System.Collections.Concurrent;

namespace MtaSts;

/// <summary>
/// Decision 22 (RFC 8461 §3.3: "senders SHOULD wait at least 5 minutes before trying again"): after a failed fetch
/// no new fetch for the same domain and id until the back-off has passed. A new id may be fetched at once.
/// </summary>
internal sealed class FetchBackoff
{
    private readonly ConcurrentDictionary<string, (string PolicyId, long UntilUtcTicks)> _failures = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration;

    public FetchBackoff(TimeSpan duration) => _duration = duration;

    public bool IsBackedOff(string policyDomain, string policyId, DateTimeOffset now) =>
        _failures.TryGetValue(policyDomain, out var failure)
        && string.Equals(failure.PolicyId, policyId, StringComparison.Ordinal)
        && now.UtcTicks < failure.UntilUtcTicks;

    public void RecordFailure(string policyDomain, string policyId, DateTimeOffset now) =>
        _failures[policyDomain] = (policyId, (now + _duration).UtcTicks);

    public void Clear(string policyDomain) => _failures.TryRemove(policyDomain, out _);
}
