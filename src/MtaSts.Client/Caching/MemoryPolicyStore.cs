using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// The in-memory policy store: a <see cref="ConcurrentDictionary{TKey, TValue}"/> keyed by normalised domain, with
/// lock-free reads. Expiry is decided by the entries' own timestamps, not by the store.
/// </summary>
internal sealed class MemoryPolicyStore
{
    private readonly ConcurrentDictionary<string, PolicyCacheEntry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public bool TryGet(string policyDomain, [NotNullWhen(true)] out PolicyCacheEntry? entry) => _entries.TryGetValue(policyDomain, out entry);

    public void Set(PolicyCacheEntry entry) => _entries[entry.PolicyDomain] = entry;

    public bool Remove(PolicyCacheEntry entry) => _entries.TryRemove(new KeyValuePair<string, PolicyCacheEntry>(entry.PolicyDomain, entry));

    public IReadOnlyCollection<PolicyCacheEntry> Snapshot() => [.. _entries.Values];
}
