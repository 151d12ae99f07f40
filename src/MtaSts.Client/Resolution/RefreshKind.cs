namespace MtaSts;

/// <summary>Why the resolver goes to the network for a domain.</summary>
internal enum RefreshKind
{
    /// <summary>No valid cached policy: discover, and fetch when a record is found.</summary>
    OnDemand,

    /// <summary>A TXT id re-check of a cached policy (background, or before a permanent failure): fetch only when the id changed.</summary>
    RecordCheck,

    /// <summary>The proactive refresh: fetch even when the id is unchanged or the TXT record is missing (RFC 8461 §3.3, §10.2).</summary>
    Proactive,
}
