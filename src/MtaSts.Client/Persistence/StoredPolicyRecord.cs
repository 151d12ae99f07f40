namespace MtaSts;

/// <summary>
/// A cached policy as a durable store keeps it: the raw policy text (parsed again when read, so a corrupt or tampered
/// record is detected), the TXT id it was fetched under, and when it was fetched, expires and was last used.
/// </summary>
/// <param name="PolicyDomain">The policy domain: A-labels, lower case, no trailing dot.</param>
/// <param name="PolicyId">The TXT record id seen before the fetch.</param>
/// <param name="PolicyText">The policy text as received.</param>
/// <param name="FetchedAt">When the policy was fetched.</param>
/// <param name="ExpiresAt">When it stops applying: <paramref name="FetchedAt"/> plus its <c>max_age</c>.</param>
/// <param name="LastUsed">When a delivery last used it (kept to the day, not to the second).</param>
public sealed record StoredPolicyRecord(string PolicyDomain, string PolicyId, string PolicyText, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt, DateTimeOffset LastUsed);
