namespace MtaSts;

/// <summary>The mail exchangers of a domain as the delivery path finds them (RFC 5321 §5.1, RFC 7505).</summary>
public sealed class MxLookup
{
    internal MxLookup(string domain, MxLookupResult result)
    {
        Domain = domain;
        Outcome = TxtRecordInspection.ToOutcome(result.Status);
        DnsError = result.Error;
        Hosts = result.Hosts;
        IsNullMx = result.IsNullMx;
        IsImplicit = result.IsImplicit;
        DomainDoesNotExist = result.DomainDoesNotExist;
    }

    /// <summary>Gets the domain whose MX records were looked up.</summary>
    public string Domain { get; }

    /// <summary>Gets how the MX query ended.</summary>
    public DnsQueryOutcome Outcome { get; }

    /// <summary>Gets the DNS failure code when <see cref="Outcome"/> is <see cref="DnsQueryOutcome.Failed"/>.</summary>
    public string? DnsError { get; }

    /// <summary>
    /// Gets the MX host names in preference order, without a trailing dot and without duplicates; the domain itself when it
    /// has no MX records (<see cref="IsImplicit"/>); empty for a null MX, a domain that does not exist, or a failure.
    /// </summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>Gets a value indicating whether the domain publishes a null MX (RFC 7505): it accepts no mail.</summary>
    public bool IsNullMx { get; }

    /// <summary>Gets a value indicating whether the domain has no MX records, so that its own name is the mail exchanger.</summary>
    public bool IsImplicit { get; }

    /// <summary>Gets a value indicating whether the domain does not exist (NXDOMAIN).</summary>
    public bool DomainDoesNotExist { get; }
}
