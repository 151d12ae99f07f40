namespace MtaSts;

/// <summary>How a DNS lookup ended.</summary>
public enum DnsLookupStatus
{
    /// <summary>Records of the type asked for were found.</summary>
    Found,

    /// <summary>The name does not exist (NXDOMAIN) or has no records of that type (NODATA): an authoritative "no".</summary>
    NotFound,

    /// <summary>
    /// No answer could be had: SERVFAIL, REFUSED, a timeout, a malformed or forged answer, a CNAME loop. A temporary
    /// failure never counts as "no record" (Decision 6).
    /// </summary>
    TemporaryFailure,
}
