using System.Net;
using DnsClient;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Dane;

/// <summary>
/// The five DANE outcomes of an MX host (RFC 7672 §2.1, §2.2) against real signed zones: Knot signs them with keys made at
/// test time, a real Unbound validates them, and the library asks Unbound with the DO bit and believes its AD bit.
/// </summary>
public sealed class TlsaLookupTests : IClassFixture<TlsaLookupTests.Fixture>
{
    private const string Ee = "3 1 1 0D6FCE3D15B4E4A2E46D4D8F7D6A0D3C1B8B3E3D2A8D6C5F0E1C0A9B8A7F6E5D";
    private const string Target = "3 1 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private const string Alias = "3 1 1 BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    private readonly Fixture _fixture;

    public TlsaLookupTests(Fixture fixture) => _fixture = fixture;

    [Fact]
    public async Task LookupTlsaAsync_SecureUsableRecord_IsUsableWithTheRecordAndTheAddresses()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host("mx-ee"), 25);

        Assert.Equal(TlsaLookupStatus.Usable, result.Status);
        Assert.Equal([Ee], result.Records.Select(r => r.ToString()));
        Assert.Equal(Host("mx-ee"), result.BaseDomain);
        Assert.Equal([IPAddress.Parse("127.0.0.2")], result.Addresses.Addresses);
    }

    [Fact]
    public async Task LookupTlsaAsync_SecurePkixOnlyRecords_IsUnusable()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host("mx-pkix"), 25);

        Assert.Equal(TlsaLookupStatus.Unusable, result.Status);
        Assert.Equal(2, result.Records.Count);
        Assert.Empty(result.UsableRecords);
    }

    [Fact]
    public async Task LookupTlsaAsync_SignedZoneWithoutTlsa_IsNotFound()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host("mx-none"), 25);

        Assert.Equal(TlsaLookupStatus.NotFound, result.Status);
        Assert.Equal(DnsLookupStatus.Found, result.Addresses.Status);
    }

    [Fact]
    public async Task LookupTlsaAsync_UnsignedZoneWithTlsa_IsInsecureWithoutAskingForTlsa()
    {
        // Checklist K.84: TLSA records in an unsigned zone are ignored; RFC 7672 §2.2: not even asked for.
        var host = "mx." + _fixture.OutsideZone;
        _fixture.Dnssec.Knot.ResetQueryCounts();

        var result = await _fixture.Dns().LookupTlsaAsync(host, 25);

        Assert.Equal(TlsaLookupStatus.Insecure, result.Status);
        Assert.Empty(result.Records);
        Assert.Equal(DnsLookupStatus.Found, result.Addresses.Status);
        Assert.Equal(0, _fixture.Dnssec.Knot.QueryCount("_25._tcp." + host, QueryType.TLSA));
    }

    [Fact]
    public async Task LookupTlsaAsync_TlsaZoneSignedWithKeyItsParentsDsDoesNotMatch_IsIndeterminate()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host(DnssecEnvironment.BogusTlsaLabel), 25);

        Assert.Equal(TlsaLookupStatus.Indeterminate, result.Status);
        Assert.Equal("dns-serverfailure", result.Error);
        Assert.Contains("validation failure", _fixture.Dnssec.Unbound.ReadLog(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LookupTlsaAsync_TlsaZoneServerUnreachable_IsIndeterminate()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host(DnssecEnvironment.DeadTlsaLabel), 25);

        Assert.Equal(TlsaLookupStatus.Indeterminate, result.Status);
        Assert.Equal(DnsLookupStatus.Found, result.Addresses.Status);
    }

    [Fact]
    public async Task LookupTlsaAsync_HostileResponderAnswersServfailForTlsa_IsIndeterminateNeverNotFound()
    {
        using var attack = _fixture.Dnssec.Knot.Proxy.Attack(new DnsAttack("_25._tcp." + Host("mx-servfail"), QueryType.TLSA, DnsAttackKind.ServerFailure));

        var result = await _fixture.Dns().LookupTlsaAsync(Host("mx-servfail"), 25);

        Assert.Equal(TlsaLookupStatus.Indeterminate, result.Status);
        Assert.True(attack is not null);
    }

    [Fact]
    public async Task LookupTlsaAsync_SecureCnameWithTlsaAtTheTarget_TargetIsTheBaseDomain()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host("alias"), 25);

        Assert.Equal(TlsaLookupStatus.Usable, result.Status);
        Assert.Equal(Host("target"), result.BaseDomain);
        Assert.Equal([Target], result.Records.Select(r => r.ToString()));
        Assert.Equal([Host("alias"), Host("target")], result.ReferenceNames);
    }

    [Fact]
    public async Task LookupTlsaAsync_SecureCnameWithTlsaOnlyAtTheAlias_AliasIsTheBaseDomain()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host("alias2"), 25);

        Assert.Equal(TlsaLookupStatus.Usable, result.Status);
        Assert.Equal(Host("alias2"), result.BaseDomain);
        Assert.Equal([Alias], result.Records.Select(r => r.ToString()));
    }

    [Fact]
    public async Task LookupTlsaAsync_SecureAliasIntoUnsignedZone_UsesTheAliasNameOnly()
    {
        var result = await _fixture.Dns().LookupTlsaAsync(Host("alias-out"), 25);

        Assert.Equal(TlsaLookupStatus.Usable, result.Status);
        Assert.Equal(Host("alias-out"), result.BaseDomain);
        Assert.Null(result.CanonicalName);
        Assert.Equal([Host("alias-out")], result.ReferenceNames);
    }

    [Fact]
    public async Task LookupTlsaAsync_AdBitFromResolverOnUntrustedPath_IsInsecure()
    {
        // RFC 7672 §2.1.3: the same Unbound answer, but the path to it is not trusted (played by not trusting loopback).
        var untrusted = await _fixture.Dns(trustLoopback: false).LookupTlsaAsync(Host("mx-ee"), 25);
        var listed = await _fixture.Dns(trustLoopback: false, trusted: IPAddress.Loopback).LookupTlsaAsync(Host("mx-ee"), 25);

        Assert.Equal(TlsaLookupStatus.Insecure, untrusted.Status);
        Assert.Equal(TlsaLookupStatus.Usable, listed.Status);
    }

    [Fact]
    public async Task LookupTlsaAsync_BogusTlsaWithAnUntrustedResolverConfiguredToo_IsIndeterminateAndTheUntrustedOneIsNeverAsked()
    {
        // Review finding: DnsClient moved on to the next (shuffled) server after the validator's SERVFAIL, and the answer of
        // a resolver whose AD bit is not believed read as "insecure": DANE off, STARTTLS strippable. DNSSEC questions now go
        // to trusted resolvers only. 127.0.0.1 (Unbound) is trusted; the authoritative server behind 127.0.0.77 is not.
        await using var untrusted = DnsCountingProxy.Start(_fixture.Dnssec.Knot.EndPoint, new IPEndPoint(IPAddress.Parse("127.0.0.77"), FreePort.GetUdpAndTcpPort()));
        var dns = _fixture.Dns(trustLoopback: false, trusted: IPAddress.Loopback, servers: [_fixture.Dnssec.Unbound.EndPoint, untrusted.EndPoint]);

        for (var i = 0; i < 10; i++)
        {
            var result = await dns.LookupTlsaAsync(Host(DnssecEnvironment.BogusTlsaLabel), 25);
            Assert.Equal(TlsaLookupStatus.Indeterminate, result.Status);
        }

        Assert.Equal(0, untrusted.TotalQueryCount);
    }

    [Fact]
    public async Task LookupTlsaAsync_NoConfiguredResolverIsTrusted_IsInsecureWithoutTheDnssecOkBit()
    {
        await using var untrusted = DnsCountingProxy.Start(_fixture.Dnssec.Unbound.EndPoint, new IPEndPoint(IPAddress.Parse("127.0.0.78"), FreePort.GetUdpAndTcpPort()));
        var dns = _fixture.Dns(trustLoopback: false, servers: [untrusted.EndPoint]);

        var result = await dns.LookupTlsaAsync(Host("mx-ee"), 25);

        Assert.Equal(TlsaLookupStatus.Insecure, result.Status);
        Assert.Equal([IPAddress.Parse("127.0.0.2")], result.Addresses.Addresses);
        Assert.Equal(0, untrusted.QueryCount("_25._tcp." + Host("mx-ee"), QueryType.TLSA));
    }

    [Theory]
    [InlineData("127.0.0.53")]
    [InlineData("127.0.0.54")]
    [InlineData("127.0.0.11")]
    public async Task LookupTlsaAsync_ForwardingStubOnLoopback_IsNotTrustedUnlessListed(string stub)
    {
        // Decision 33: systemd-resolved's stubs and Docker's DNS relay the AD bit of a resolver across the network. Played
        // by a forwarder on the stub's address in front of Unbound: its AD bit is real here, but not believed unless listed.
        await using var forwarder = DnsCountingProxy.Start(_fixture.Dnssec.Unbound.EndPoint, new IPEndPoint(IPAddress.Parse(stub), FreePort.GetUdpAndTcpPort()));

        var unlisted = await _fixture.Dns(servers: [forwarder.EndPoint]).LookupTlsaAsync(Host("mx-ee"), 25);
        var listed = await _fixture.Dns(trusted: IPAddress.Parse(stub), servers: [forwarder.EndPoint]).LookupTlsaAsync(Host("mx-ee"), 25);

        Assert.Equal(TlsaLookupStatus.Insecure, unlisted.Status);
        Assert.Equal(TlsaLookupStatus.Usable, listed.Status);
    }

    [Fact]
    public async Task LookupTlsaAsync_SecureAliasWhoseCnameQueryFails_IsIndeterminate()
    {
        // Review finding: the alias's own CNAME (the proof that the host is in a signed zone) could not be asked, and the
        // host read as "insecure". An attacker who blocks that one query must not switch DANE off.
        await using var proxy = DnsCountingProxy.Start(_fixture.Dnssec.Unbound.EndPoint);
        proxy.FailQuery = q => q.Type == QueryType.CNAME;

        var result = await _fixture.Dns(servers: [proxy.EndPoint]).LookupTlsaAsync(Host("alias-out"), 25);

        Assert.Equal(TlsaLookupStatus.Indeterminate, result.Status);
        Assert.Equal("dns-serverfailure", result.Error);
        Assert.NotEqual(0, proxy.QueryCount(Host("alias-out"), QueryType.CNAME));
    }

    [Fact]
    public async Task LookupTlsaAsync_AskingTheAuthoritativeServerDirectly_IsInsecure()
    {
        // Knot answers authoritatively without the AD bit: only a validating resolver can vouch for an answer.
        var result = await _fixture.Dns(server: _fixture.Dnssec.Knot.EndPoint).LookupTlsaAsync(Host("mx-ee"), 25);

        Assert.Equal(TlsaLookupStatus.Insecure, result.Status);
    }

    private static string Host(string label) => label + "." + DnssecEnvironment.SignedZone;

    public sealed class Fixture : IAsyncLifetime
    {
        public KnotDnsServer Knot { get; private set; } = null!;

        public DnssecEnvironment Dnssec { get; private set; } = null!;

        public string OutsideZone { get; } = MtaStsEnvironment.NewDomainName("outside");

        public async Task InitializeAsync()
        {
            Knot = await KnotDnsServer.StartAsync();
            await Knot.SetZoneRecordsAsync(OutsideZone, "mx 1 IN A 127.0.0.9", $"_25._tcp.mx 1 IN TLSA {Ee}");
            Dnssec = await DnssecEnvironment.StartAsync(
                Knot,
                [
                    "mx-ee 1 IN A 127.0.0.2",
                    $"_25._tcp.mx-ee 1 IN TLSA {Ee}",
                    "mx-pkix 1 IN A 127.0.0.3",
                    $"_25._tcp.mx-pkix 1 IN TLSA 1 1 1 {Ee[6..]}",
                    $"_25._tcp.mx-pkix 1 IN TLSA 0 0 1 {Ee[6..]}",
                    "mx-none 1 IN A 127.0.0.4",
                    "mx-servfail 1 IN A 127.0.0.5",
                    $"_25._tcp.mx-servfail 1 IN TLSA {Ee}",
                    $"{DnssecEnvironment.BogusTlsaLabel} 1 IN A 127.0.0.6",
                    $"{DnssecEnvironment.DeadTlsaLabel} 1 IN A 127.0.0.7",
                    "alias 1 IN CNAME target",
                    "target 1 IN A 127.0.0.8",
                    $"_25._tcp.target 1 IN TLSA {Target}",
                    $"_25._tcp.alias 1 IN TLSA {Alias}",
                    "alias2 1 IN CNAME target2",
                    "target2 1 IN A 127.0.0.10",
                    $"_25._tcp.alias2 1 IN TLSA {Alias}",
                    $"alias-out 1 IN CNAME mx.{OutsideZone}.",
                    $"_25._tcp.alias-out 1 IN TLSA {Alias}",
                ],
                [$"_25 1 IN TLSA {Ee}"]);
        }

        public async Task DisposeAsync()
        {
            await Dnssec.DisposeAsync();
            await Knot.DisposeAsync();
        }

        internal DnsClientMtaStsDns Dns(bool trustLoopback = true, IPAddress? trusted = null, IPEndPoint? server = null, IPEndPoint[]? servers = null)
        {
            var options = new MtaStsOptions { DnsTimeout = TimeSpan.FromSeconds(3) };
            foreach (var endPoint in servers ?? [server ?? Dnssec.Unbound.EndPoint])
            {
                options.NameServers.Add(endPoint);
            }

            if (trusted is not null)
            {
                options.TrustedValidatingResolvers.Add(trusted);
            }

            return new DnsClientMtaStsDns(DnsClientMtaStsDns.CreateClient(options), options, TimeProvider.System, trustLoopback);
        }
    }
}
