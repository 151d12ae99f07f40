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
        if (_dnssec is null)
        {
            // No configured resolver is trusted to validate: nothing it says can be DNSSEC-secure, so DANE cannot apply
            // (RFC 7672 §2.1.3) and the DO bit is not even sent.
            return TlsaLookupResult.Insecure(host, await LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false));
        }

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
        else
        {
            var (alias, aliasError) = owner is null ? (AliasSecurity.NotSecure, null) : await CheckAliasAsync(host, budget, cancellationToken).ConfigureAwait(false);
            if (alias == AliasSecurity.Unknown)
            {
                // RFC 7672 §2.1.1: whether the alias is signed could not be learnt (SERVFAIL, a timeout): that is a failed
                // lookup, never "insecure", or an attacker who blocks one query would switch DANE off.
                return new TlsaLookupResult(TlsaLookupStatus.Indeterminate, host, addresses, [], error: aliasError);
            }

            if (alias == AliasSecurity.NotSecure)
            {
                // RFC 7672 §2.2: the host's address records are not secure (or not from a trusted validating resolver): no DANE.
                return TlsaLookupResult.Insecure(host, addresses);
            }
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
    private async Task<(AliasSecurity Security, string? Error)> CheckAliasAsync(string host, LinkedTimeout budget, CancellationToken cancellationToken)
    {
        var (response, error) = await AskAsync(Fqdn(host), QueryType.CNAME, budget.Token, cancellationToken, dnssec: true).ConfigureAwait(false);
        if (response is null)
        {
            return (AliasSecurity.Unknown, budget.HasExpired ? ReasonCodes.DnsTimeout : error);
        }

        if (response.Header.ResponseCode is not (DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain))
        {
            return (AliasSecurity.Unknown, "dns-" + response.Header.ResponseCode.ToString().ToLowerInvariant());
        }

        var secure = response.Header.ResponseCode == DnsHeaderResponseCode.NoError
            && IsSecure(response)
            && response.Answers.OfType<CNameRecord>().Any(r => SameName(r.DomainName, Fqdn(host)));
        return (secure ? AliasSecurity.Secure : AliasSecurity.NotSecure, null);
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

        // Not found only when both answers say so; one failed lookup could be hiding the addresses.
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

        return IPAddress.TryParse(response.NameServer?.Address, out var address) && IsTrustedResolver(address);
    }

    /// <summary>
    /// Decision 33: a resolver listed in <see cref="MtaStsOptions.TrustedValidatingResolvers"/>, or a loopback one that is
    /// not a known forwarding stub. systemd-resolved's stubs (127.0.0.53, 127.0.0.54) and Docker's embedded DNS
    /// (127.0.0.11) are on loopback but pass on the AD bit of a resolver across the network; they count only when listed.
    /// </summary>
    private bool IsTrustedResolver(IPAddress address)
    {
        address = Canonical(address);
        return _trustedResolvers.Contains(address)
            || (_trustLoopback && IPAddress.IsLoopback(address) && !ForwardingStubs.Contains(address));
    }

    private static readonly HashSet<IPAddress> ForwardingStubs = [IPAddress.Parse("127.0.0.53"), IPAddress.Parse("127.0.0.54"), IPAddress.Parse("127.0.0.11")];

    private enum AliasSecurity
    {
        NotSecure,
        Secure,
        Unknown,
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
