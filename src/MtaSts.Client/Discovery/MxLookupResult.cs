namespace MtaSts;

/// <summary>
/// The mail exchangers of a domain in preference order (RFC 5321 §5.1), or why there are none. Decision 18: when the
/// domain has no MX RRset its own name is the only candidate (implicit MX); a null MX (RFC 7505) accepts no mail.
/// </summary>
internal sealed record MxLookupResult(DnsLookupStatus Status, IReadOnlyList<string> Hosts, bool IsNullMx, bool IsImplicit, string? Error)
{
    /// <summary>Gets a value indicating whether the domain does not exist at all (NXDOMAIN): mail to it is undeliverable.</summary>
    public bool DomainDoesNotExist { get; init; }

    public static MxLookupResult Failure(string error) => new(DnsLookupStatus.TemporaryFailure, [], false, false, error);
}
