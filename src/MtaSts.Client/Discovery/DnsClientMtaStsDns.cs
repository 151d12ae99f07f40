using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts;

/// <summary>
/// <see cref="IMtaStsDns"/> over DnsClient. DnsClient's own response cache is off: the resolver caches policies
/// itself, and a cached TXT answer would delay seeing a new policy id.
/// </summary>
internal sealed class DnsClientMtaStsDns : IMtaStsDns
{
    /// <summary>Decision 5: at most 8 CNAME links are followed.</summary>
    internal const int MaxCnameLinks = 8;

    /// <summary>The error text of a NOT-FOUND answer that was NXDOMAIN rather than NODATA.</summary>
    private const string NxDomain = "nxdomain";

    private readonly ILookupClient _client;

    public DnsClientMtaStsDns(ILookupClient client) => _client = client;

    public static LookupClient CreateClient(MtaStsOptions options)
    {
        var servers = options.NameServers.Count > 0
            ? options.NameServers.Select(e => new NameServer(e)).ToArray()
            : NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).ToArray();
        if (servers.Length == 0)
        {
            // No configured resolver (no network interface, an isolated sandbox): like the C library, ask the local
            // machine. Lookups then fail as temporary DNS failures instead of the client failing to start.
            servers = [new NameServer(IPAddress.Loopback, 53)];
        }

        return new LookupClient(new LookupClientOptions(servers)
        {
            UseCache = false,
            Timeout = options.DnsTimeout,
            Retries = 1,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
            ContinueOnDnsError = true,
            ContinueOnEmptyResponse = false,
        });
    }

    public async Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken)
    {
        var (status, records, error) = await QueryAsync(name, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        return status switch
        {
            DnsLookupStatus.Found => new TxtLookupResult(
                DnsLookupStatus.Found,
                [.. records.OfType<TxtRecord>().Select(r => string.Concat(r.Text))],
                null),
            DnsLookupStatus.NotFound => TxtLookupResult.NotFound,
            _ => TxtLookupResult.Failure(error ?? "dns-error"),
        };
    }

    public async Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken)
    {
        var (status, records, error) = await QueryAsync(domain, QueryType.MX, cancellationToken).ConfigureAwait(false);
        switch (status)
        {
            case DnsLookupStatus.TemporaryFailure:
                return MxLookupResult.Failure(error ?? "dns-error");
            case DnsLookupStatus.NotFound when error == NxDomain:
                return new MxLookupResult(DnsLookupStatus.NotFound, [], false, false, null) { DomainDoesNotExist = true };
            case DnsLookupStatus.NotFound:
                // No MX RRset: the domain itself is the mail exchanger (RFC 5321 §5.1). A domain that does not exist
                // at all surfaces when its addresses are looked up.
                return new MxLookupResult(DnsLookupStatus.NotFound, [domain.TrimEnd('.')], false, true, null);
        }

        var mx = records.OfType<MxRecord>().OrderBy(r => r.Preference).ToList();

        // RFC 7505: a single MX with the root as exchange means the domain accepts no mail.
        if (mx.Count == 1 && mx[0].Exchange.Original is "." or "")
        {
            return new MxLookupResult(DnsLookupStatus.Found, [], true, false, null);
        }

        return new MxLookupResult(
            DnsLookupStatus.Found,
            [.. mx.Select(r => r.Exchange.Original.TrimEnd('.')).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)],
            false,
            false,
            null);
    }

    public async Task<IReadOnlyList<IPAddress>> LookupAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var a = QueryAsync(host, QueryType.A, cancellationToken);
        var aaaa = QueryAsync(host, QueryType.AAAA, cancellationToken);
        var results = await Task.WhenAll(a, aaaa).ConfigureAwait(false);
        if (results.All(r => r.Status == DnsLookupStatus.TemporaryFailure))
        {
            throw new DnsLookupException($"Address lookup for '{host}' failed: {results[0].Error}");
        }

        return
        [
            .. results.SelectMany(r => r.Records).Select(r => r switch
            {
                ARecord ar => ar.Address,
                AaaaRecord aaaar => aaaar.Address,
                _ => null,
            }).OfType<IPAddress>(),
        ];
    }

    /// <summary>Queries <paramref name="name"/>, following CNAMEs within and across responses (Decision 5).</summary>
    private async Task<(DnsLookupStatus Status, IReadOnlyList<DnsResourceRecord> Records, string? Error)> QueryAsync(
        string name, QueryType type, CancellationToken cancellationToken)
    {
        var current = Fqdn(name);
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { current };
        var links = 0;
        while (true)
        {
            IDnsQueryResponse response;
            try
            {
                response = await _client.QueryAsync(current, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            }
            catch (DnsResponseException ex)
            {
                return (DnsLookupStatus.TemporaryFailure, [], "dns-" + ex.Code.ToString().ToLowerInvariant());
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Whatever the transport throws is a temporary failure, never an exception for the resolver's callers.
                return (DnsLookupStatus.TemporaryFailure, [], "dns-transport-error");
            }

            switch (response.Header.ResponseCode)
            {
                case DnsHeaderResponseCode.NoError:
                    break;
                case DnsHeaderResponseCode.NotExistentDomain:
                    return (DnsLookupStatus.NotFound, [], NxDomain);
                default:
                    return (DnsLookupStatus.TemporaryFailure, [], "dns-" + response.Header.ResponseCode.ToString().ToLowerInvariant());
            }

            var target = current;
            while (true)
            {
                var owner = target;
                var found = response.Answers.Where(r => r.RecordType == (ResourceRecordType)type && SameName(r.DomainName, owner)).ToList();
                if (found.Count > 0)
                {
                    return (DnsLookupStatus.Found, found, null);
                }

                var cname = response.Answers.OfType<CNameRecord>().FirstOrDefault(r => SameName(r.DomainName, owner));
                if (cname is null)
                {
                    break;
                }

                target = Fqdn(cname.CanonicalName.Original);
                if (++links > MaxCnameLinks)
                {
                    return (DnsLookupStatus.TemporaryFailure, [], "cname-chain-too-long");
                }

                if (!visited.Add(target))
                {
                    return (DnsLookupStatus.TemporaryFailure, [], "cname-loop");
                }
            }

            if (target == current)
            {
                // NODATA: the name exists without records of this type.
                return (DnsLookupStatus.NotFound, [], null);
            }

            current = target;
        }
    }

    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    // DnsString.Value is converted to U-labels; Original keeps the A-labels that the question used.
    private static bool SameName(DnsString owner, string fqdn) => string.Equals(Fqdn(owner.Original), fqdn, StringComparison.OrdinalIgnoreCase);
}
