using System.Net;

namespace MtaSts;

/// <summary>The DNS lookups MTA-STS needs: the narrow seam over DnsClient that unit tests replace.</summary>
internal interface IMtaStsDns
{
    /// <summary>Looks up TXT records at <paramref name="name"/>, following CNAMEs (Decision 5).</summary>
    Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken);

    /// <summary>Looks up the MX records of <paramref name="domain"/> in preference order (Decision 18).</summary>
    Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken);

    /// <summary>Looks up the A and AAAA records of <paramref name="host"/>; empty when there are none.</summary>
    /// <exception cref="DnsLookupException">The lookup failed temporarily.</exception>
    Task<IReadOnlyList<IPAddress>> LookupAddressesAsync(string host, CancellationToken cancellationToken);
}
