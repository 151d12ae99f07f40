using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>Discovery against the real name server: CNAMEs (Decision 5), DNS failures (Decision 6), names (A.1, K.24).</summary>
public sealed partial class PolicyResolverTests
{
    [Fact]
    public async Task ResolveAsync_TxtBehindCnameInAnotherZone_FetchesFromOriginalPolicyHost()
    {
        // K.21 / A.11: delegation as in RFC 8461 §8.2.
        var provider = MtaStsEnvironment.NewDomainName("p");
        await _env.Dns.SetZoneRecordsAsync(provider, "_mta-sts 1 IN TXT \"v=STSv1; id=delegated1\"");
        var domain = await _env.AddDomainAsync(txt: [], extraRecords: [$"_mta-sts 1 IN CNAME _mta-sts.{provider}."]);
        await using var sut = _env.CreateResolver();

        var first = await sut.ResolveAsync(domain);
        var second = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.Equal(domain, first.PolicyDomain);
        Assert.Equal("delegated1", first.PolicyId);
        Assert.True(first.IsEnforced);
        Assert.Equal(PolicyResolutionStatus.Cached, second.Status);
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(provider)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public async Task ResolveAsync_CnameChainOfAtMostEightLinks_FindsRecord(int links)
    {
        var (domain, provider) = await AddDomainBehindCnameChainAsync(links, "chain" + links);
        await using var sut = _env.CreateResolver();

        var result = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, result.Status);
        Assert.Equal("chain" + links, result.PolicyId);
        Assert.Null(result.FailureReasonCode);
        Assert.Equal(1, TxtQueries(domain));

        // The first link leaves the zone, so the client follows it with a query of its own; no name is asked twice.
        var chainQueries = _env.Dns.Queries.Where(q => q.Name.EndsWith("." + provider, StringComparison.Ordinal)).Select(q => q.Name).ToList();
        Assert.Equal(1, _env.Dns.QueryCount("l1." + provider, "TXT"));
        Assert.Equal(chainQueries.Count, chainQueries.Distinct().Count());
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(20, false)]
    [InlineData(20, true)]
    public async Task ResolveAsync_CnameChainLongerThanEightLinks_NoPolicyAsTemporaryFailure(int links, bool defer)
    {
        // K.22 / Decision 5.
        var (domain, _) = await AddDomainBehindCnameChainAsync(links, "toolong");
        await using var sut = _env.CreateResolver(o => o.DeferOnTemporaryFailure = defer);

        var result = await sut.ResolveAsync(domain);

        Assert.Equal(defer ? PolicyResolutionStatus.TemporaryFailure : PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Null(result.Policy);
        Assert.Equal("cname-chain-too-long", result.FailureReasonCode);
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResolveAsync_CnameLoop_NoPolicyAsTemporaryFailure(bool defer)
    {
        // K.22 / Decision 5.
        var provider = await AddCnameLoopZoneAsync();
        var domain = await _env.AddDomainAsync(txt: [], extraRecords: [$"_mta-sts 1 IN CNAME l1.{provider}."]);
        await using var sut = _env.CreateResolver(o => o.DeferOnTemporaryFailure = defer);

        var result = await sut.ResolveAsync(domain);

        Assert.Equal(defer ? PolicyResolutionStatus.TemporaryFailure : PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Null(result.Policy);
        Assert.Equal("cname-loop", result.FailureReasonCode);
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Theory]
    [InlineData("loop")]
    [InlineData("too-long")]
    public async Task RecheckAsync_CnameLoopOrLongChainWhileCached_KeepsCachedPolicyAndReportsIt(string kind)
    {
        // K.22: "A cached policy still applies."
        var domain = await _env.AddDomainAsync(id: "A");
        await using var sut = _env.CreateResolver();
        await sut.ResolveAsync(domain);
        string target;
        if (kind == "loop")
        {
            target = "l1." + await AddCnameLoopZoneAsync();
        }
        else
        {
            var provider = MtaStsEnvironment.NewDomainName("p");
            await _env.Dns.SetZoneRecordsAsync(provider, CnameChainRecords(provider, 19, "B"));
            target = "l1." + provider;
        }

        await _env.SetRecordsAsync(domain, [], [$"_mta-sts 1 IN CNAME {target}."]);

        var result = await sut.RecheckAsync(domain);
        var hit = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, result.Status);
        Assert.Equal("A", result.PolicyId);
        Assert.True(result.IsEnforced);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, result.FailureResultType);
        Assert.Equal(kind == "loop" ? "cname-loop" : "cname-chain-too-long", result.FailureReasonCode);
        Assert.True(hit.IsEnforced);
        Assert.Equal(result.FailureReasonCode, hit.FailureReasonCode);
        Assert.Equal(2, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Theory]
    [InlineData("servfail", false)]
    [InlineData("servfail", true)]
    [InlineData("refused", false)]
    [InlineData("refused", true)]
    [InlineData("timeout", false)]
    [InlineData("timeout", true)]
    public async Task ResolveAsync_TemporaryDnsFailureWithoutCache_NoPolicyOrTemporaryFailureWhenDeferring(string failure, bool defer)
    {
        // K.22 / Decision 6: without a cached policy, deliver as with no policy, or defer when configured.
        var domain = await _env.AddDomainAsync(id: "A");
        await using var sut = _env.CreateResolver(o =>
        {
            o.DeferOnTemporaryFailure = defer;
            o.DnsTimeout = DnsTimeoutFor(failure);
        });
        try
        {
            await BreakTxtLookupAsync(domain, failure);

            var result = await sut.ResolveAsync(domain);

            Assert.Equal(defer ? PolicyResolutionStatus.TemporaryFailure : PolicyResolutionStatus.NoPolicy, result.Status);
            Assert.Null(result.Policy);
            Assert.False(result.IsEnforced);
            Assert.Equal(ExpectedDnsReason(failure), result.FailureReasonCode);
            Assert.Equal(QueriesPerFailedLookup(failure), TxtQueries(domain));
            Assert.Equal(0, _env.Https.RequestCount(PolicyHost(domain)));
        }
        finally
        {
            RepairProxy();
        }
    }

    [Theory]
    [InlineData("servfail")]
    [InlineData("refused")]
    [InlineData("timeout")]
    public async Task RecheckAsync_TemporaryDnsFailureWithCachedPolicy_KeepsPolicyAndReportsFailure(string failure)
    {
        // K.22 / Decision 6 / Decision 24.
        var domain = await _env.AddDomainAsync(id: "A");
        await using var sut = _env.CreateResolver(o =>
        {
            o.DeferOnTemporaryFailure = true;
            o.DnsTimeout = DnsTimeoutFor(failure);
        });
        var first = await sut.ResolveAsync(domain);

        // A slow answer on a loaded machine can make the first, successful lookup retry: count from here.
        var queriesBefore = TxtQueries(domain);
        try
        {
            await BreakTxtLookupAsync(domain, failure);

            var result = await sut.RecheckAsync(domain);
            var hit = await sut.ResolveAsync(domain);

            Assert.Equal(PolicyResolutionStatus.Cached, result.Status);
            Assert.Equal("A", result.PolicyId);
            Assert.True(result.IsEnforced);
            Assert.Equal(first.ExpiresAt, result.ExpiresAt);
            Assert.Equal(TlsRptResultType.StsPolicyFetchError, result.FailureResultType);
            Assert.Equal(ExpectedDnsReason(failure), result.FailureReasonCode);
            Assert.Equal(PolicyResolutionStatus.Cached, hit.Status);
            Assert.True(hit.IsEnforced);
            Assert.Equal(ExpectedDnsReason(failure), hit.FailureReasonCode);
            Assert.Equal(queriesBefore + QueriesPerFailedLookup(failure), TxtQueries(domain));
            Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
        }
        finally
        {
            RepairProxy();
        }
    }

    [Fact]
    public async Task ResolveAsync_RecipientAtSubdomain_NeverQueriesParentDomain()
    {
        // K.24 / A.1 (RFC 8461 §3.4): no walking up to the parent zone, even though the parent has a policy.
        var domain = await _env.AddDomainAsync(id: "parent1");
        var subdomain = "mail." + domain;
        await using var sut = _env.CreateResolver();

        var result = await sut.ResolveAsync(subdomain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Equal(subdomain, result.PolicyDomain);
        Assert.Null(result.Policy);
        Assert.Null(result.FailureResultType);
        Assert.Equal(1, TxtQueries(subdomain));
        Assert.DoesNotContain(_env.Dns.Queries, q => q.Name == "_mta-sts." + domain);
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(domain)));
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(subdomain)));
    }

    [Fact]
    public async Task ResolveAsync_SubdomainWithOwnPolicy_UsesItNeverTheParents()
    {
        // K.24: the subdomain's own record and policy host decide; the parent's are never consulted.
        var domain = await _env.AddDomainAsync(id: "parent1", policy: MtaStsEnvironment.Policy(mode: "testing"));
        var subdomain = "mail." + domain;
        await _env.SetRecordsAsync(domain, ["v=STSv1; id=parent1"], ["_mta-sts.mail 1 IN TXT \"v=STSv1; id=sub1\"", "mta-sts.mail 1 IN A 127.0.0.1"]);
        _env.Https.SetCertificate(PolicyHost(subdomain), _env.Ca.IssueServerCertificate(PolicyHost(subdomain)));
        _env.Https.SetPolicy(PolicyHost(subdomain), MtaStsEnvironment.Policy(mode: "enforce", mx: "mx.sub.example.net"));
        await using var sut = _env.CreateResolver();

        var result = await sut.ResolveAsync(subdomain);

        Assert.Equal(PolicyResolutionStatus.Fetched, result.Status);
        Assert.Equal("sub1", result.PolicyId);
        Assert.True(result.IsEnforced);
        Assert.True(result.Policy!.MatchesMx("mx.sub.example.net"));
        Assert.Equal(1, TxtQueries(subdomain));
        Assert.DoesNotContain(_env.Dns.Queries, q => q.Name == "_mta-sts." + domain);
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(subdomain)));
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_UpperCaseAndTrailingDotForms_ShareOneCacheEntry()
    {
        // Decision 23: the cache key is the normal form.
        var domain = await _env.AddDomainAsync(id: "norm1");
        await using var sut = _env.CreateResolver();

        var upper = await sut.ResolveAsync(domain.ToUpperInvariant() + ".");
        var plain = await sut.ResolveAsync(domain);
        var mixed = await sut.ResolveAsync(char.ToUpperInvariant(domain[0]) + domain[1..] + ".");
        var recheck = await sut.RecheckAsync(domain.ToUpperInvariant());

        Assert.Equal(PolicyResolutionStatus.Fetched, upper.Status);
        Assert.Equal(domain, upper.PolicyDomain);
        Assert.Equal(PolicyResolutionStatus.Cached, plain.Status);
        Assert.Equal(domain, plain.PolicyDomain);
        Assert.Equal(PolicyResolutionStatus.Cached, mixed.Status);
        Assert.Equal(domain, mixed.PolicyDomain);
        Assert.Equal(PolicyResolutionStatus.Cached, recheck.Status);
        Assert.Equal("norm1", recheck.PolicyId);
        Assert.Equal(2, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Theory]
    [InlineData("[127.0.0.1]")]
    [InlineData("127.0.0.1")]
    [InlineData("[IPv6:::1]")]
    [InlineData("::1")]
    public async Task ResolveAsync_AddressLiteral_ThrowsArgumentExceptionWithoutAnyQuery(string literal)
    {
        // A.1 (RFC 8461 §3.4): address literals have no policy. A counting proxy of its own shows this resolver's traffic only.
        await using var proxy = DnsCountingProxy.Start(_env.Dns.KnotEndPoint);
        var domain = await _env.AddDomainAsync(id: "lit1");
        await using var sut = _env.CreateResolver(o =>
        {
            o.NameServers.Clear();
            o.NameServers.Add(proxy.EndPoint);
        });

        var resolve = await Assert.ThrowsAsync<ArgumentException>(async () => await sut.ResolveAsync(literal));
        var recheck = await Assert.ThrowsAsync<ArgumentException>(async () => await sut.RecheckAsync(literal));
        var queriesAfterLiteral = proxy.TotalQueryCount;
        var control = await sut.ResolveAsync(domain);

        Assert.Equal("policyDomain", resolve.ParamName);
        Assert.Equal("policyDomain", recheck.ParamName);
        Assert.Equal(0, queriesAfterLiteral);

        // The same resolver's traffic does reach this proxy.
        Assert.Equal(PolicyResolutionStatus.Fetched, control.Status);
        Assert.Equal(1, proxy.QueryCount("_mta-sts." + domain, DnsClient.QueryType.TXT));
    }

    /// <summary>
    /// A domain whose <c>_mta-sts</c> name starts a chain of <paramref name="links"/> CNAMEs that ends at a TXT record
    /// with id <paramref name="id"/>; the first link leaves the domain's zone, the rest stay in a provider zone.
    /// </summary>
    private async Task<(string Domain, string Provider)> AddDomainBehindCnameChainAsync(int links, string id)
    {
        var provider = MtaStsEnvironment.NewDomainName("p");
        await _env.Dns.SetZoneRecordsAsync(provider, CnameChainRecords(provider, links - 1, id));
        return (await _env.AddDomainAsync(txt: [], extraRecords: [$"_mta-sts 1 IN CNAME l1.{provider}."]), provider);
    }

    /// <summary><c>l1 CNAME l2</c> … <c>l{n} CNAME l{n+1}</c>, and the TXT record at <c>l{n+1}</c>: <paramref name="links"/> CNAMEs.</summary>
    private static string[] CnameChainRecords(string zone, int links, string id)
    {
        var records = Enumerable.Range(1, links).Select(i => $"l{i} 1 IN CNAME l{i + 1}.{zone}.").ToList();
        records.Add($"l{links + 1} 1 IN TXT \"v=STSv1; id={id}\"");
        return [.. records];
    }

    /// <summary>A zone where <c>l1</c> and <c>l2</c> point at each other.</summary>
    private async Task<string> AddCnameLoopZoneAsync()
    {
        var provider = MtaStsEnvironment.NewDomainName("p");
        await _env.Dns.SetZoneRecordsAsync(provider, $"l1 1 IN CNAME l2.{provider}.", $"l2 1 IN CNAME l1.{provider}.");
        return provider;
    }

    private async Task BreakTxtLookupAsync(string domain, string failure)
    {
        var name = "_mta-sts." + domain;
        switch (failure)
        {
            case "servfail":
                _env.Dns.Proxy.FailQuery = q => q.Name == name;
                break;
            case "refused":
                await _env.Dns.RemoveZoneAsync(domain);
                break;
            case "timeout":
                _env.Dns.Proxy.DropQuery = q => q.Name == name;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(failure), failure, null);
        }
    }

    private void RepairProxy()
    {
        _env.Dns.Proxy.FailQuery = null;
        _env.Dns.Proxy.DropQuery = null;
    }

    /// <summary>DnsClient (Retries = 1) asks once more after a SERVFAIL or a timeout, not after REFUSED.</summary>
    private static int QueriesPerFailedLookup(string failure) => failure == "refused" ? 1 : 2;

    /// <summary>Short only where the test waits for the timeout: elsewhere a slow answer must not turn into a retry.</summary>
    private static TimeSpan DnsTimeoutFor(string failure) => failure == "timeout" ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);

    private static string ExpectedDnsReason(string failure) => failure switch
    {
        "servfail" => "dns-serverfailure",
        "refused" => "dns-refused",
        _ => "dns-connectiontimeout",
    };
}
