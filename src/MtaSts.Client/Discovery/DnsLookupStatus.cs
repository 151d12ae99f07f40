namespace MtaSts;

/// <summary>How a DNS lookup ended (Decision 6).</summary>
internal enum DnsLookupStatus
{
    /// <summary>Records of the type asked for exist.</summary>
    Found,

    /// <summary>NXDOMAIN or NODATA: the name has no such records.</summary>
    NotFound,

    /// <summary>SERVFAIL, REFUSED, a timeout, a CNAME chain that is too long or loops: try again later.</summary>
    TemporaryFailure,
}
