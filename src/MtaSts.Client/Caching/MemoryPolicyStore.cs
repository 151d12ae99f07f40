using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// The in-memory cache: one <see cref="ConcurrentDictionary{TKey, TValue}"/> keyed by normalised domain, with lock-free
/// reads, holding cached policies and cached "no policy" answers side by side so that a hit of either costs one lookup.
/// Expiry is decided by the entries' own timestamps, not by the store.
/// </summary>
internal sealed class MemoryPolicyStore
{
    private readonly ConcurrentDictionary<string, CacheEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The cache-hit lookup: a policy or a "no policy" answer.</summary>
    public bool TryGet(string policyDomain, [NotNullWhen(true)] out CacheEntry? entry) => _entries.TryGetValue(policyDomain, out entry);

    /// <summary>Looks up a cached policy (a cached "no policy" answer is not one).</summary>
    public bool TryGetPolicy(string policyDomain, [NotNullWhen(true)] out PolicyCacheEntry? entry)
    {
        entry = _entries.TryGetValue(policyDomain, out var found) ? found as PolicyCacheEntry : null;
        return entry is not null;
    }

    public void Set(CacheEntry entry) => _entries[entry.PolicyDomain] = entry;

    /// <summary>
    /// Stores <paramref name="entry"/> only if the slot still holds <paramref name="expected"/> (a policy or nothing), or a
    /// "no policy" answer: a newer policy stored meanwhile, by a concurrent fetch say, is never replaced by an older one.
    /// </summary>
    public bool TryReplacePolicy(PolicyCacheEntry entry, PolicyCacheEntry? expected)
    {
        if (_entries.TryGetValue(entry.PolicyDomain, out var current) && current is NegativeCacheEntry)
        {
            return _entries.TryUpdate(entry.PolicyDomain, entry, current);
        }

        return expected is null ? _entries.TryAdd(entry.PolicyDomain, entry) : _entries.TryUpdate(entry.PolicyDomain, entry, expected);
    }

    /// <summary>
    /// Stores a "no policy" answer only if the slot still holds <paramref name="expected"/> (or nothing when it is
    /// <see langword="null"/>): a policy stored meanwhile, by a concurrent refresh say, is never overwritten by it.
    /// </summary>
    public bool TrySetNegative(NegativeCacheEntry entry, CacheEntry? expected)
    {
        if (expected is not null)
        {
            return _entries.TryUpdate(entry.PolicyDomain, entry, expected);
        }

        // An expired "no policy" answer may be replaced; anything else present wins.
        return _entries.TryAdd(entry.PolicyDomain, entry)
            || (_entries.TryGetValue(entry.PolicyDomain, out var current) && current is NegativeCacheEntry && _entries.TryUpdate(entry.PolicyDomain, entry, current));
    }

    public bool Remove(CacheEntry entry) => _entries.TryRemove(new KeyValuePair<string, CacheEntry>(entry.PolicyDomain, entry));

    /// <summary>Every cached policy (not the "no policy" answers).</summary>
    public IReadOnlyCollection<PolicyCacheEntry> Snapshot() => [.. _entries.Values.OfType<PolicyCacheEntry>()];

    /// <summary>Drops the "no policy" answers that have expired; returns how many.</summary>
    public int RemoveExpiredNegatives(long nowUtcTicks)
    {
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value is NegativeCacheEntry negative && !negative.IsValidAt(nowUtcTicks) && _entries.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }
}
