using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts;

/// <summary>
/// <see cref="IMtaStsDns"/> over DnsClient. DnsClient's own response cache is off: the resolver caches policies
/// itself, and a cached TXT answer would delay seeing a new policy id.
/// </summary>
/// <remarks>
/// Nothing a DNS server or an attacker sends can make a lookup throw (issue-8 rule 7): every exception but the caller's
/// cancellation is a <see cref="DnsLookupStatus.TemporaryFailure"/>. DnsClient reads one datagram per UDP query and
/// rejects it when its transaction id does not match; such a forged answer is discarded and the question asked again
/// over TCP, where an off-path forger cannot answer. Each lookup, CNAME chain and retries included, runs inside one
/// budget (<see cref="MtaStsOptions.DiscoveryTimeout"/>).
/// </remarks>
internal sealed partial class DnsClientMtaStsDns : IMtaStsDns
{
    /// <summary>Decision 5: at most 8 CNAME links are followed.</summary>
    internal const int MaxCnameLinks = 8;

    private readonly ILookupClient _client;
    private readonly DnsQueryAndServerOptions _tcpOnly;
    private readonly DnsQueryAndServerOptions? _dnssec;
    private readonly DnsQueryAndServerOptions? _dnssecTcpOnly;
    private readonly HashSet<IPAddress> _trustedResolvers;
    private readonly TimeSpan _budget;
    private readonly TimeProvider _timeProvider;

    private readonly bool _trustLoopback;

    public DnsClientMtaStsDns(ILookupClient client, MtaStsOptions options, TimeProvider timeProvider)
        : this(client, options, timeProvider, trustLoopback: true)
    {
    }

    /// <summary>Tests only: <paramref name="trustLoopback"/> <see langword="false"/> plays a resolver on an untrusted path.</summary>
    internal DnsClientMtaStsDns(ILookupClient client, MtaStsOptions options, TimeProvider timeProvider, bool trustLoopback)
    {
        _trustLoopback = trustLoopback;
        _client = client;
        _budget = options.DiscoveryTimeout;
        _timeProvider = timeProvider;
        _tcpOnly = new DnsQueryAndServerOptions
        {
            UseCache = false,
            Timeout = options.DnsTimeout,
            Retries = 1,
            ThrowDnsErrors = false,
            UseTcpOnly = true,
            ContinueOnDnsError = true,
            ContinueOnEmptyResponse = false,
        };

        // DANE lookups (RFC 7672 §2.1): the DNSSEC OK bit asks a validating resolver for its verdict in the AD bit. They go
        // to the trusted resolvers only, in the configured order: a resolver whose AD bit is not believed must never be
        // the one that answers after a trusted one said SERVFAIL (bogus data), or a failed lookup would read as insecure.
        _trustedResolvers = [.. options.TrustedValidatingResolvers.Select(Canonical)];
        var trusted = client.NameServers.Where(s => IPAddress.TryParse(s.Address, out var address) && IsTrustedResolver(address)).ToArray();
        if (trusted.Length > 0)
        {
            _dnssec = DnssecOptions(trusted, options.DnsTimeout, tcpOnly: false);
            _dnssecTcpOnly = DnssecOptions(trusted, options.DnsTimeout, tcpOnly: true);
        }
    }

    /// <summary>DANE's queries: the DO bit, the trusted resolvers in order, UDP with TCP fall-back or TCP only.</summary>
    private static DnsQueryAndServerOptions DnssecOptions(NameServer[] trusted, TimeSpan timeout, bool tcpOnly) => new(trusted)
    {
        UseCache = false,
        Timeout = timeout,
        Retries = 1,
        ThrowDnsErrors = false,
        UseTcpFallback = true,
        UseTcpOnly = tcpOnly,
        UseRandomNameServer = false,
        ContinueOnDnsError = true,
        ContinueOnEmptyResponse = false,
        RequestDnsSecRecords = true,
    };

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

    public async Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var answer = await QueryWithinBudgetAsync(name, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        return answer.Status switch
        {
            DnsLookupStatus.Found => new TxtLookupResult(
                DnsLookupStatus.Found,
                [.. answer.Records.OfType<TxtRecord>().Select(r => string.Concat(r.Text))])
            {
                TimeToLive = TimeSpan.FromSeconds(answer.Records.Min(r => r.TimeToLive)),
            },
            DnsLookupStatus.NotFound => answer.NegativeTtl is { } ttl ? new TxtLookupResult(DnsLookupStatus.NotFound, []) { TimeToLive = ttl } : TxtLookupResult.NotFound,
            _ => TxtLookupResult.Failure(answer.Error!),
        };
    }

    public async Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var answer = await QueryWithinBudgetAsync(domain, QueryType.MX, cancellationToken).ConfigureAwait(false);
        switch (answer.Status)
        {
            case DnsLookupStatus.TemporaryFailure:
                return MxLookupResult.Failure(answer.Error!);
            case DnsLookupStatus.NotFound when answer.NonExistent:
                return MxLookupResult.NonExistentDomain;
            case DnsLookupStatus.NotFound:
                // No MX RRset: the domain itself is the mail exchanger (RFC 5321 §5.1).
                return MxLookupResult.Implicit(domain);
        }

        var mx = answer.Records.OfType<MxRecord>().OrderBy(r => r.Preference).ToList();

        // RFC 7505: a single MX with the root as exchange means the domain accepts no mail.
        if (mx.Count == 1 && mx[0].Exchange.Original is "." or "")
        {
            return MxLookupResult.NullMx;
        }

        var hosts = mx.Select(r => r.Exchange.Original.TrimEnd('.')).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return hosts.Length == 0 ? MxLookupResult.Failure(ReasonCodes.DnsMalformedAnswer) : MxLookupResult.Found(hosts);
    }

    public async Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        using var budget = new LinkedTimeout(_budget, _timeProvider, cancellationToken);
        var a = QueryAsync(host, QueryType.A, budget, cancellationToken);
        var aaaa = QueryAsync(host, QueryType.AAAA, budget, cancellationToken);
        return ToAddresses(await Task.WhenAll(a, aaaa).ConfigureAwait(false));
    }

    private async Task<Answer> QueryWithinBudgetAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        using var budget = new LinkedTimeout(_budget, _timeProvider, cancellationToken);
        return await QueryAsync(name, type, budget, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queries <paramref name="name"/>, following CNAMEs within and across responses (Decision 5).</summary>
    private async Task<Answer> QueryAsync(string name, QueryType type, LinkedTimeout budget, CancellationToken cancellationToken, bool dnssec = false)
    {
        var current = Fqdn(name);
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { current };
        var links = 0;

        // Secure only while every response on the way (each CNAME hop asked anew included) is secure.
        var secure = dnssec;
        while (true)
        {
            var (response, error) = await AskAsync(current, type, budget.Token, cancellationToken, dnssec).ConfigureAwait(false);
            if (response is null)
            {
                return Answer.Failure(budget.HasExpired ? ReasonCodes.DnsTimeout : error!);
            }

            secure &= IsSecure(response);

            switch (response.Header.ResponseCode)
            {
                case DnsHeaderResponseCode.NoError:
                    break;
                case DnsHeaderResponseCode.NotExistentDomain:
                    return new Answer(DnsLookupStatus.NotFound, [], null, NonExistent: true) { NegativeTtl = NegativeTtl(response), Secure = secure, Owner = current };
                default:
                    return Answer.Failure("dns-" + response.Header.ResponseCode.ToString().ToLowerInvariant());
            }

            var target = current;
            while (true)
            {
                var owner = target;
                var found = response.Answers.Where(r => r.RecordType == (ResourceRecordType)type && SameName(r.DomainName, owner)).ToList();
                if (found.Count > 0)
                {
                    return new Answer(DnsLookupStatus.Found, found, null) { Secure = secure, Owner = owner };
                }

                var cname = response.Answers.OfType<CNameRecord>().FirstOrDefault(r => SameName(r.DomainName, owner));
                if (cname is null)
                {
                    break;
                }

                target = Fqdn(cname.CanonicalName.Original);
                if (++links > MaxCnameLinks)
                {
                    return Answer.Failure(ReasonCodes.CnameChainTooLong);
                }

                if (!visited.Add(target))
                {
                    return Answer.Failure(ReasonCodes.CnameLoop);
                }
            }

            if (target == current)
            {
                // NODATA: the name exists without records of this type.
                return new Answer(DnsLookupStatus.NotFound, [], null) { NegativeTtl = NegativeTtl(response), Secure = secure, Owner = current };
            }

            current = target;
        }
    }

    /// <summary>
    /// One question, with DnsClient's retries; a forged answer (wrong transaction id) is discarded and the question is
    /// asked again over TCP. Returns the response, or why there is none. Only the caller's cancellation throws.
    /// </summary>
    private async Task<(IDnsQueryResponse? Response, string? Error)> AskAsync(string name, QueryType type, CancellationToken budget, CancellationToken cancellationToken, bool dnssec = false)
    {
        var question = new DnsQuestion(name, type, QueryClass.IN);
        for (var overTcp = false; ; overTcp = true)
        {
            try
            {
                var response = (overTcp, dnssec) switch
                {
                    (true, true) => await _client.QueryAsync(question, _dnssecTcpOnly!, budget).ConfigureAwait(false),
                    (false, true) => await _client.QueryAsync(question, _dnssec!, budget).ConfigureAwait(false),
                    (true, false) => await _client.QueryAsync(question, _tcpOnly, budget).ConfigureAwait(false),
                    _ => await _client.QueryAsync(question, budget).ConfigureAwait(false),
                };
                return (response, null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (DnsXidMismatchException) when (!overTcp)
            {
                // Not the answer to our question: ignore it and ask where a forger off the path cannot answer.
                continue;
            }
            catch (DnsResponseException ex)
            {
                return (null, "dns-" + ex.Code.ToString().ToLowerInvariant());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Malformed answers (DnsResponseParseException, ArgumentOutOfRangeException from a bad compression
                // pointer, IndexOutOfRangeException), transport errors and timeouts: never an exception for our callers.
                return (null, ex is DnsResponseParseException or ArgumentException or IndexOutOfRangeException or DnsXidMismatchException or InvalidOperationException
                    ? ReasonCodes.DnsMalformedAnswer
                    : ReasonCodes.DnsTransportError);
            }
        }
    }

    /// <summary>RFC 2308 §5: a negative answer may be cached for the smaller of the SOA record's TTL and its MINIMUM field.</summary>
    private static TimeSpan? NegativeTtl(IDnsQueryResponse response) =>
        response.Authorities.OfType<SoaRecord>().Select(soa => TimeSpan.FromSeconds(Math.Min((long)soa.TimeToLive, soa.Minimum))).Cast<TimeSpan?>().FirstOrDefault();

    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    // DnsString.Value is converted to U-labels; Original keeps the A-labels that the question used.
    private static bool SameName(DnsString owner, string fqdn) => string.Equals(Fqdn(owner.Original), fqdn, StringComparison.OrdinalIgnoreCase);

    private readonly record struct Answer(DnsLookupStatus Status, IReadOnlyList<DnsResourceRecord> Records, string? Error, bool NonExistent = false)
    {
        public TimeSpan? NegativeTtl { get; init; }

        /// <summary>Gets a value indicating whether every response on the way was DNSSEC-secure (asked with the DO bit).</summary>
        public bool Secure { get; init; }

        /// <summary>Gets the name the records (or the denial) belong to: the end of the CNAME chain, with a trailing dot.</summary>
        public string? Owner { get; init; }

        public static Answer Failure(string error) => new(DnsLookupStatus.TemporaryFailure, [], error);
    }
}
