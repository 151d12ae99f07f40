using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>Where cached policies live: the seam the persistent and distributed stores plug into.</summary>
internal interface IPolicyStore
{
    /// <summary>Gets the entry of a normalised policy domain. Must be fast and allocation-free: it is on every delivery.</summary>
    bool TryGet(string policyDomain, [NotNullWhen(true)] out PolicyCacheEntry? entry);

    /// <summary>Adds or replaces the entry of its domain.</summary>
    void Set(PolicyCacheEntry entry);

    /// <summary>Removes <paramref name="entry"/> if it is still the domain's entry.</summary>
    bool Remove(PolicyCacheEntry entry);

    /// <summary>Gets a snapshot of every entry, for the refresh service.</summary>
    IReadOnlyCollection<PolicyCacheEntry> Snapshot();
}
