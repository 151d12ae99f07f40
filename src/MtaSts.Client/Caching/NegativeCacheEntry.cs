namespace MtaSts;

/// <summary>
/// The cached answer that a domain publishes no MTA-STS policy (NXDOMAIN or NODATA for <c>_mta-sts</c>, or no STS record
/// among its TXT records), kept for the answer's DNS TTL clamped to <see cref="MtaStsOptions.NegativeCacheMinimum"/> and
/// <see cref="MtaStsOptions.NegativeCacheMaximum"/>. It never stands in for a policy: a valid cached policy is never
/// replaced by one (Decision 24), and any fetched policy replaces it.
/// </summary>
internal sealed class NegativeCacheEntry(string policyDomain, PolicyResolution resolution, DateTimeOffset expiresAt)
    : CacheEntry(policyDomain, expiresAt.UtcTicks, resolution, lastUsedUtcTicks: 0, nextRecordCheckUtcTicks: long.MaxValue, isNegative: true)
{
}
