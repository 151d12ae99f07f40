namespace MtaSts;

/// <summary>
/// The cached answer that a domain publishes no MTA-STS policy (NXDOMAIN or NODATA for <c>_mta-sts</c>, or no STS record
/// among its TXT records), kept for the answer's DNS TTL clamped to <see cref="MtaStsOptions.NegativeCacheMinimum"/> and
/// <see cref="MtaStsOptions.NegativeCacheMaximum"/>. It never stands in for a policy: a valid cached policy is never
/// replaced by one (Decision 24), and any fetched policy replaces it. It is valid only from <paramref name="cachedAt"/>
/// to <paramref name="expiresAt"/>: a clock stepped back ends it rather than stretching it by the size of the step.
/// </summary>
/// <param name="policyDomain">The policy domain in normal form.</param>
/// <param name="resolution">The "no policy" resolution a hit returns.</param>
/// <param name="cachedAt">When the answer was received.</param>
/// <param name="expiresAt">When it ends: <paramref name="cachedAt"/> plus the clamped TTL.</param>
internal sealed class NegativeCacheEntry(string policyDomain, PolicyResolution resolution, DateTimeOffset cachedAt, DateTimeOffset expiresAt)
    : CacheEntry(policyDomain, cachedAt.UtcTicks, expiresAt.UtcTicks, resolution, lastUsedUtcTicks: 0, nextRecordCheckUtcTicks: long.MaxValue, isNegative: true)
{
}
