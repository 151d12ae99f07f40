using DnsClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>
/// Issue-8 rule 7 and rule 8 on the DNS side: a hostile responder in front of the real Knot server answers the
/// resolver's and the delivery's lookups with SERVFAIL, spoofed NXDOMAIN, compression-pointer loops, bad pointers,
/// truncated and oversized answers, forged transaction ids and delays. Nothing escapes as an exception, a forged answer
/// is ignored in favour of the real one, a lookup never outlives its budget, and a valid cached policy is never lost.
/// </summary>
[Collection(MtaStsCollection.Name)]
public sealed class HostileDnsTests
{
    private readonly MtaStsEnvironment _env;

    public HostileDnsTests(MtaStsEnvironment env) => _env = env;

    public static TheoryData<DnsAttackKind> MalformedAnswers() =>
    [
        DnsAttackKind.CompressionLoop,
        DnsAttackKind.BadPointer,
        DnsAttackKind.Truncated,
        DnsAttackKind.ServerFailure,
        DnsAttackKind.Drop,
    ];

    /// <summary>Rule 7: whatever the answer to the TXT query, <c>ResolveAsync</c> returns a value (no policy, first contact) and never throws.</summary>
    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task Rule7_ResolveAsync_HostileTxtAnswer_ReturnsNoPolicyWithoutThrowing(DnsAttackKind attack)
    {
        var (domain, _, resolution) = await ResolveUnderTxtAttackAsync(attack);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Null(resolution.Policy);
        Assert.Equal(0, _env.Https.RequestCount("mta-sts." + domain));
    }

    /// <summary>Rule 7 with a policy held: a hostile answer at the background re-check keeps the cached policy (Decision 24).</summary>
    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task Rule7_RecheckAsync_HostileTxtAnswer_KeepsCachedEnforcePolicy(DnsAttackKind attack)
    {
        var domain = await _env.AddDomainAsync();
        await using var sut = CreateResolver();
        var first = await sut.ResolveAsync(domain);
        using var rule = _env.Dns.Proxy.Attack(new DnsAttack("_mta-sts." + domain, QueryType.TXT, attack));

        var rechecked = await sut.RecheckAsync(domain);

        Assert.True(first.IsEnforced);
        Assert.Equal(PolicyResolutionStatus.Cached, rechecked.Status);
        Assert.True(rechecked.IsEnforced);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, rechecked.FailureResultType);
    }

    /// <summary>The public DNS seam never throws either: MX and address lookups under the same answers are temporary failures.</summary>
    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task Rule7_LookupMxAndAddresses_HostileAnswer_TemporaryFailureWithoutThrowing(DnsAttackKind attack)
    {
        var domain = await _env.AddDomainAsync(extraRecords: ["@ 1 IN MX 10 mx", "mx 1 IN A 127.0.0.1"]);
        using var mxRule = _env.Dns.Proxy.Attack(new DnsAttack(domain, QueryType.MX, attack));
        using var aRule = _env.Dns.Proxy.Attack(new DnsAttack("mx." + domain, null, attack));
        await using var services = BuildServices();
        var sut = services.GetRequiredService<IMtaStsDns>();

        var mx = await sut.LookupMxAsync(domain);
        var addresses = await sut.LookupAddressesAsync("mx." + domain);

        Assert.Equal(DnsLookupStatus.TemporaryFailure, mx.Status);
        Assert.False(mx.DomainDoesNotExist);
        Assert.NotNull(mx.Error);
        Assert.Equal(DnsLookupStatus.TemporaryFailure, addresses.Status);
        Assert.Empty(addresses.Addresses);
    }

    /// <summary>
    /// A forged answer with the wrong transaction id arrives first: it is not taken for the answer. The question is asked
    /// again (over TCP, where an off-path forger cannot answer) and the real policy is fetched.
    /// </summary>
    [Fact]
    public async Task Rule7_ForgedTransactionId_IsIgnoredAndTheRealAnswerUsed()
    {
        var (_, attack, resolution) = await ResolveUnderTxtAttackAsync(DnsAttackKind.ForgedIdFirst, id: "real1");

        // The forged NXDOMAIN went out first (and would have meant "no policy" had it been believed).
        Assert.True(attack.Matches >= 1);
        Assert.Equal(PolicyResolutionStatus.Fetched, resolution.Status);
        Assert.Equal("real1", resolution.PolicyId);
    }

    /// <summary>An answer over 4 KiB in one UDP datagram is not understood as it arrives: the question goes again over TCP.</summary>
    [Fact]
    public async Task Rule7_OversizedUdpAnswer_ReaskedOverTcp()
    {
        var (domain, _, resolution) = await ResolveUnderTxtAttackAsync(DnsAttackKind.OversizedOverUdp, id: "bigudp1");

        Assert.Equal(PolicyResolutionStatus.Fetched, resolution.Status);
        Assert.Equal("bigudp1", resolution.PolicyId);
        Assert.Contains(_env.Dns.Queries, q => q.Name == "_mta-sts." + domain && q.Transport == System.Net.Sockets.ProtocolType.Tcp);
    }

    /// <summary>
    /// Rule 8: TXT discovery, CNAME chain included, runs inside one budget. Each link of a chain (one zone per link, so
    /// one query per link) is slow but within the per-query timeout; the whole lookup is cut at
    /// <see cref="MtaStsOptions.DiscoveryTimeout"/> and is a temporary failure.
    /// </summary>
    [Fact]
    public async Task Rule8_SlowCnameChain_CutAtTheDiscoveryBudget()
    {
        var zones = Enumerable.Range(0, 5).Select(_ => MtaStsEnvironment.NewDomainName("p")).ToArray();
        for (var i = 0; i < zones.Length; i++)
        {
            await _env.Dns.SetZoneRecordsAsync(zones[i], i < zones.Length - 1 ? $"l 1 IN CNAME l.{zones[i + 1]}." : "l 1 IN TXT \"v=STSv1; id=slow1\"");
        }

        var domain = await _env.AddDomainAsync(txt: [], extraRecords: [$"_mta-sts 1 IN CNAME l.{zones[0]}."]);
        var rules = zones.Select(z => "l." + z).Prepend("_mta-sts." + domain)
            .Select(name => _env.Dns.Proxy.Attack(new DnsAttack(name, QueryType.TXT, DnsAttackKind.Delay) { Delay = TimeSpan.FromMilliseconds(400) }))
            .ToList();
        try
        {
            await using var sut = CreateResolver(o =>
            {
                o.DnsTimeout = TimeSpan.FromSeconds(2);
                o.DiscoveryTimeout = TimeSpan.FromSeconds(1);
            });

            var resolution = await sut.ResolveAsync(domain);

            Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
            Assert.Equal(ReasonCodes.DnsTimeout, resolution.FailureReasonCode);
            Assert.Equal(0, _env.Dns.Proxy.QueryCount("l." + zones[^1], QueryType.TXT));
            Assert.Equal(0, _env.Https.RequestCount("mta-sts." + domain));
        }
        finally
        {
            rules.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Rule 7: the hosted refresh loop survives hostile answers and keeps refreshing the other policies (fake time drives the schedule).</summary>
    [Fact]
    public async Task Rule7_RefreshLoop_SurvivesHostileAnswers()
    {
        var hostile = await _env.AddDomainAsync(policy: MtaStsEnvironment.Policy(maxAge: 600));
        var healthy = await _env.AddDomainAsync(policy: MtaStsEnvironment.Policy(maxAge: 600));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var services = BuildServices(time);
        var resolver = services.GetRequiredService<IMtaStsPolicyResolver>();
        var hosted = services.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            await resolver.ResolveAsync(hostile);
            await resolver.ResolveAsync(healthy);
            var txtAttack = new DnsAttack("_mta-sts." + hostile, QueryType.TXT, DnsAttackKind.CompressionLoop);
            var hostAttack = new DnsAttack("mta-sts." + hostile, null, DnsAttackKind.BadPointer);
            using var rule = _env.Dns.Proxy.Attack(txtAttack);
            using var policyHostRule = _env.Dns.Proxy.Attack(hostAttack);

            // max_age 600: both are refreshed after 270-300 s; the hostile refresh fails, the healthy one goes on. Fake time
            // stops well before the policies expire, and the test then waits for the loop on the real clock.
            for (var step = 0; step < 11; step++)
            {
                time.Advance(TimeSpan.FromSeconds(30));
                await Task.Delay(20);
            }

            await Poll.UntilAsync(
                () => _env.Https.RequestCount("mta-sts." + healthy) >= 2 && hostAttack.Matches > 0,
                "the proactive refreshes");
            var stillHeld = await resolver.ResolveAsync(hostile);

            Assert.True(stillHeld.IsEnforced);
            Assert.Equal(1, _env.Https.RequestCount("mta-sts." + hostile));
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    private MtaStsResolver CreateResolver(Action<MtaStsOptions>? configure = null) => _env.CreateResolver(configure);

    /// <summary>
    /// Publishes a new domain (TXT id <paramref name="id"/>) and resolves it with a fresh resolver while the hostile
    /// responder answers its <c>_mta-sts</c> TXT query as <paramref name="kind"/> says.
    /// </summary>
    private async Task<(string Domain, DnsAttack Attack, PolicyResolution Resolution)> ResolveUnderTxtAttackAsync(DnsAttackKind kind, string id = "id1")
    {
        var domain = await _env.AddDomainAsync(id: id);
        var attack = new DnsAttack("_mta-sts." + domain, QueryType.TXT, kind);
        using var rule = _env.Dns.Proxy.Attack(attack);
        await using var sut = CreateResolver();
        return (domain, attack, await sut.ResolveAsync(domain));
    }

    private ServiceProvider BuildServices(TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddMtaSts(_env.ConfigureOptions);
        return services.BuildServiceProvider();
    }
}
