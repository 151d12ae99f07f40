namespace MtaSts;

/// <summary>
/// The mail exchangers of a domain in preference order (RFC 5321 §5.1), or why there are none. Decision 18: when the
/// domain has no MX RRset its own name is the only candidate (implicit MX); a null MX (RFC 7505) accepts no mail.
/// Immutable.
/// </summary>
public sealed class MxLookupResult
{
    private MxLookupResult(DnsLookupStatus status, IReadOnlyList<string> hosts, bool isNullMx, bool isImplicit, bool domainDoesNotExist, string? error)
    {
        Status = status;
        Hosts = hosts;
        IsNullMx = isNullMx;
        IsImplicit = isImplicit;
        DomainDoesNotExist = domainDoesNotExist;
        Error = error;
    }

    /// <summary>Gets the answer for a domain that does not exist (NXDOMAIN).</summary>
    public static MxLookupResult NonExistentDomain { get; } = new(DnsLookupStatus.NotFound, [], false, false, true, null);

    /// <summary>Gets the answer for a domain whose only MX is the root (RFC 7505): it accepts no mail.</summary>
    public static MxLookupResult NullMx { get; } = new(DnsLookupStatus.Found, [], true, false, false, null);

    /// <summary>Gets how the lookup ended.</summary>
    public DnsLookupStatus Status { get; }

    /// <summary>Gets the MX host names in preference order, without trailing dots; empty for a null MX, NXDOMAIN or a failure.</summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>Gets a value indicating whether the domain published a null MX (RFC 7505).</summary>
    public bool IsNullMx { get; }

    /// <summary>Gets a value indicating whether the domain has no MX RRset and its own name stands in (RFC 5321 §5.1).</summary>
    public bool IsImplicit { get; }

    /// <summary>Gets a value indicating whether the domain does not exist at all (NXDOMAIN).</summary>
    public bool DomainDoesNotExist { get; }

    /// <summary>Gets a short code saying why the lookup failed, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>Creates the answer for a domain with an MX RRset.</summary>
    /// <param name="hosts">The exchange names in preference order.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hosts"/> is <see langword="null"/>.</exception>
    public static MxLookupResult Found(IReadOnlyList<string> hosts) =>
        new(DnsLookupStatus.Found, hosts ?? throw new ArgumentNullException(nameof(hosts)), false, false, false, null);

    /// <summary>Creates the answer for a domain that exists without an MX RRset: the domain itself is the mail exchanger.</summary>
    /// <param name="domain">The domain.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    public static MxLookupResult Implicit(string domain) =>
        new(DnsLookupStatus.NotFound, [(domain ?? throw new ArgumentNullException(nameof(domain))).TrimEnd('.')], false, true, false, null);

    /// <summary>Creates the result of a lookup that failed temporarily.</summary>
    /// <param name="error">Why, as a short code.</param>
    /// <returns>The result.</returns>
    public static MxLookupResult Failure(string error) => new(DnsLookupStatus.TemporaryFailure, [], false, false, false, error);
}
