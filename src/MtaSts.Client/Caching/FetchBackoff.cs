using System.Collections.Concurrent;

namespace MtaSts;

/// <summary>
/// Decision 22 (RFC 8461 §3.3: "senders SHOULD wait at least 5 minutes before trying again"): after a failed fetch
/// no new fetch for the same domain and id until the back-off has passed. A new id may be fetched at once.
/// </summary>
internal sealed class FetchBackoff
{
    private const int PruneThreshold = 4096;
    private readonly ConcurrentDictionary<(string PolicyDomain, string PolicyId), long> _failures = new();
    private readonly TimeSpan _duration;

    public FetchBackoff(TimeSpan duration) => _duration = duration;

    public bool IsBackedOff(string policyDomain, string policyId, DateTimeOffset now) =>
        _failures.TryGetValue((policyDomain, policyId), out var until) && now.UtcTicks < until;

    public void RecordFailure(string policyDomain, string policyId, DateTimeOffset now)
    {
        if (_failures.Count >= PruneThreshold)
        {
            // Failures older than the back-off mean nothing; keep the map bounded under a flood of new ids.
            foreach (var failure in _failures)
            {
                if (failure.Value <= now.UtcTicks)
                {
                    _failures.TryRemove(failure);
                }
            }
        }

        _failures[(policyDomain, policyId)] = (now + _duration).UtcTicks;
    }

    public void Clear(string policyDomain, string policyId) => _failures.TryRemove((policyDomain, policyId), out _);
}
