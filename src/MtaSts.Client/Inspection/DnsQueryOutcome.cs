namespace MtaSts;

/// <summary>How a DNS query made by <see cref="MtaStsInspector"/> ended.</summary>
public enum DnsQueryOutcome
{
    /// <summary>Records of the type asked for exist (after following CNAMEs).</summary>
    Found,

    /// <summary>NXDOMAIN or NODATA: the name has no such records.</summary>
    NotFound,

    /// <summary>The query failed (SERVFAIL, REFUSED, a timeout, an unreachable server, a CNAME loop): the answer is unknown.</summary>
    Failed,
}
