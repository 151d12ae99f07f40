using System.Globalization;
using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts;

internal sealed partial class DnsClientMtaStsDns
{
    /// <summary>
    /// RFC 7672 §2.2: the MX host's addresses first (secure or not decides whether DANE applies at all), then the TLSA
    /// records at the TLSA base domain — the secure CNAME target first, then the MX host name (§2.2.3). One budget for all.
    /// </summary>
    public async Task<TlsaLookupResult> LookupTlsaAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        using var budget = new LinkedTimeout(_budget, _timeProvider, cancellationToken);
        var a = QueryAsync(host, QueryType.A, budget, cancellationToken, dnssec: true);
        var aaaa = QueryAsync(host, QueryType.AAAA, budget, cancellationToken, dnssec: true);
        var answers = await Task.WhenAll(a, aaaa).ConfigureAwait(false);
        var addresses = ToAddresses(answers);
        if (addresses.Status != DnsLookupStatus.Found)
        {
            // No address: the host is unreachable whatever DANE would say.
            return TlsaLookupResult.Insecure(host, addresses);
        }

        // Only the answers that were had count; a failed AAAA beside secure A records hides nothing DANE relies on.
        var answered = answers.Where(r => r.Status != DnsLookupStatus.TemporaryFailure).ToArray();
        var owner = answered.Select(r => r.Owner).FirstOrDefault(o => o is not null && !string.Equals(o, Fqdn(host), StringComparison.OrdinalIgnoreCase));
        string? canonical = null;
        if (answered.All(r => r.Secure))
        {
            canonical = owner;
        }
        else if (owner is null || !await IsSecureAliasAsync(host, budget, cancellationToken).ConfigureAwait(false))
        {
            // RFC 7672 §2.2: the host's address records are not secure (or not from a trusted validating resolver): no DANE.
            return TlsaLookupResult.Insecure(host, addresses);
        }

        // A secure alias into an unsigned zone: the host's own zone is signed, so its own name is the one base domain.
        string[] bases = canonical is null ? [host] : [canonical, host];
        foreach (var baseDomain in bases)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"_{port}._tcp.{baseDomain.TrimEnd('.')}");
            var answer = await QueryAsync(name, QueryType.TLSA, budget, cancellationToken, dnssec: true).ConfigureAwait(false);
            if (answer.Status == DnsLookupStatus.TemporaryFailure)
            {
                // RFC 7672 §2.1.1: a failed TLSA lookup (SERVFAIL, which is also how a validating resolver reports bogus
                // data, a timeout) makes the host unusable; it is never read as "no TLSA records".
                return new TlsaLookupResult(TlsaLookupStatus.Indeterminate, host, addresses, [], canonicalName: canonical, error: answer.Error);
            }

            if (!answer.Secure)
            {
                if (!ReferenceEquals(baseDomain, host))
                {
                    continue;
                }

                return new TlsaLookupResult(TlsaLookupStatus.Insecure, host, addresses, [], canonicalName: canonical);
            }

            if (answer.Status == DnsLookupStatus.Found)
            {
                var records = answer.Records.OfType<DnsClient.Protocol.TlsaRecord>()
                    .Select(r => new TlsaRecord((byte)r.CertificateUsage, (byte)r.Selector, (byte)r.MatchingType, r.CertificateAssociationData.ToArray()))
                    .ToArray();
                var status = records.Any(r => r.IsUsable) ? TlsaLookupStatus.Usable : TlsaLookupStatus.Unusable;
                return new TlsaLookupResult(status, host, addresses, records, baseDomain, canonical);
            }
        }

        // Secure NXDOMAIN or NODATA at every candidate: the zone is signed and has no TLSA records for the host.
        return new TlsaLookupResult(TlsaLookupStatus.NotFound, host, addresses, [], canonicalName: canonical);
    }

    /// <summary>
    /// RFC 7672 §2.2.2: the host is an alias whose target's zone is unsigned; the host is still in a signed zone when its
    /// own CNAME record is secure (asked by type, so the answer is not chased into the target).
    /// </summary>
    private async Task<bool> IsSecureAliasAsync(string host, LinkedTimeout budget, CancellationToken cancellationToken)
    {
        var (response, _) = await AskAsync(Fqdn(host), QueryType.CNAME, budget.Token, cancellationToken, dnssec: true).ConfigureAwait(false);
        return response is { Header.ResponseCode: DnsHeaderResponseCode.NoError }
            && IsSecure(response)
            && response.Answers.OfType<CNameRecord>().Any(r => SameName(r.DomainName, Fqdn(host)));
    }

    /// <summary>The addresses of an A and an AAAA answer, as <see cref="LookupAddressesAsync"/> gives them.</summary>
    private static AddressLookupResult ToAddresses(Answer[] answers)
    {
        var addresses = answers.SelectMany(r => r.Records).Select(r => r switch
        {
            ARecord ar => ar.Address,
            AaaaRecord aaaar => aaaar.Address,
            _ => null,
        }).OfType<IPAddress>().ToArray();
        if (addresses.Length > 0)
        {
            return AddressLookupResult.Found(addresses);
        }

        return answers.FirstOrDefault(r => r.Status == DnsLookupStatus.TemporaryFailure) is { Error: { } error }
            ? AddressLookupResult.Failure(error)
            : AddressLookupResult.NotFound;
    }

    /// <summary>
    /// RFC 7672 §2.1.3 and RFC 6698 §4.1: the AD bit is believed only from a resolver reached over a trusted path — a
    /// loopback one, or one the configuration lists (<see cref="MtaStsOptions.TrustedValidatingResolvers"/>).
    /// </summary>
    private bool IsSecure(IDnsQueryResponse response)
    {
        if (!response.Header.IsAuthenticData)
        {
            return false;
        }

        return IPAddress.TryParse(response.NameServer?.Address, out var address)
            && ((_trustLoopback && IPAddress.IsLoopback(address)) || _trustedResolvers.Contains(Canonical(address)));
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
