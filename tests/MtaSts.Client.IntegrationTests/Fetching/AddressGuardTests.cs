using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// Decision 21 (server-side request forgery guard) with real DNS: the policy host resolves through Knot, and with
/// <see cref="MtaStsOptions.AllowPrivateAddresses"/> off an address in a refused range is never connected to. The
/// zones are written by hand so that they hold no <c>mta-sts A 127.0.0.1</c> record unless the case wants one.
/// </summary>
/// <remarks>
/// The refused non-loopback addresses (10.0.0.1, 169.254.169.254, fe80::1) must be refused before any socket is
/// created; the loopback and unspecified ones would reach the local HTTPS server if they were not, which the handshake
/// and request counts would show.
/// </remarks>
[Collection(MtaStsCollection.Name)]
public sealed class AddressGuardTests(MtaStsEnvironment env)
{
    [Theory]
    [InlineData("A", "10.0.0.1", "policy-host-address-private")]
    [InlineData("A", "172.16.0.1", "policy-host-address-private")]
    [InlineData("A", "192.168.1.1", "policy-host-address-private")]
    [InlineData("A", "100.64.0.1", "policy-host-address-private")]
    [InlineData("A", "169.254.169.254", "policy-host-address-link-local")]
    [InlineData("A", "127.0.0.1", "policy-host-address-loopback")]
    [InlineData("A", "127.0.0.2", "policy-host-address-loopback")]
    [InlineData("A", "0.0.0.0", "policy-host-address-unspecified")]
    [InlineData("A", "224.0.0.1", "policy-host-address-multicast")]
    [InlineData("A", "198.18.0.1", "policy-host-address-benchmarking")]
    [InlineData("A", "203.0.113.7", "policy-host-address-documentation")]
    [InlineData("AAAA", "::1", "policy-host-address-loopback")]
    [InlineData("AAAA", "::ffff:127.0.0.1", "policy-host-address-loopback")]
    [InlineData("AAAA", "::ffff:10.0.0.1", "policy-host-address-private")]
    [InlineData("AAAA", "::", "policy-host-address-unspecified")]
    [InlineData("AAAA", "fe80::1", "policy-host-address-link-local")]
    [InlineData("AAAA", "fd00::1", "policy-host-address-private")]
    [InlineData("AAAA", "ff02::1", "policy-host-address-multicast")]
    public async Task ResolveAsync_PolicyHostInRefusedRange_FetchErrorWithoutConnecting(string type, string address, string reasonCode)
    {
        var domain = await AddZoneAsync($"mta-sts 1 IN {type} {address}");
        await using var sut = env.CreateResolver(o => o.AllowPrivateAddresses = false);

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, reasonCode);
        AssertNeverContacted(domain);
        Assert.Equal(1, env.Dns.QueryCount(PolicyHost(domain), type));
    }

    [Fact]
    public async Task ResolveAsync_PolicyHostWithSeveralRefusedAddresses_FetchErrorWithoutConnecting()
    {
        var domain = await AddZoneAsync("mta-sts 1 IN A 10.0.0.1", "mta-sts 1 IN A 127.0.0.1", "mta-sts 1 IN AAAA ::1");
        await using var sut = env.CreateResolver(o => o.AllowPrivateAddresses = false);

        var resolution = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, resolution.FailureResultType);
        Assert.StartsWith("policy-host-address-", resolution.FailureReasonCode, StringComparison.Ordinal);
        AssertNeverContacted(domain);
    }

    [Fact]
    public async Task ResolveAsync_LoopbackPolicyHostWithPrivateAddressesAllowed_Fetched()
    {
        // The counterpart of the loopback case above: the same zone is fetched once the option allows it.
        var domain = await AddZoneAsync("mta-sts 1 IN A 127.0.0.1");
        await using var sut = env.CreateResolver(o => o.AllowPrivateAddresses = true);

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
        Assert.Equal(1, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_PolicyHostNameDoesNotExist_FetchErrorNoAddress()
    {
        // NXDOMAIN for mta-sts.<domain>.
        var domain = await AddZoneAsync();
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-host-no-address");
        AssertNeverContacted(domain);
        Assert.Equal(1, env.Dns.QueryCount(PolicyHost(domain), "A"));
        Assert.Equal(1, env.Dns.QueryCount(PolicyHost(domain), "AAAA"));
    }

    [Fact]
    public async Task ResolveAsync_PolicyHostWithoutAddressRecords_FetchErrorNoAddress()
    {
        // NODATA: the name exists, but with neither A nor AAAA.
        var domain = await AddZoneAsync("mta-sts 1 IN TXT \"not an address\"");
        await using var sut = env.CreateResolver(o => o.AllowPrivateAddresses = false);

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-host-no-address");
        AssertNeverContacted(domain);
    }

    [Fact]
    public async Task ResolveAsync_PolicyHostCnameToLoopback_Refused()
    {
        // The guard applies to the address finally reached, whatever name it was reached through.
        var domain = await AddZoneAsync("mta-sts 1 IN CNAME web", "web 1 IN A 127.0.0.1");
        await using var sut = env.CreateResolver(o => o.AllowPrivateAddresses = false);

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-host-address-loopback");
        AssertNeverContacted(domain);
    }

    [Fact]
    public async Task ResolveAsync_PolicyHostAddressLookupServFails_TransientFetchErrorRetried()
    {
        // Decision 21: the policy host resolves through the resolver's own DNS client, so a DNS failure is a fetch
        // failure of its own (and transient: the fetch is retried), not a fall-back to the system resolver.
        var domain = await AddZoneAsync("mta-sts 1 IN A 127.0.0.1");
        var host = PolicyHost(domain);
        var previous = env.Dns.Proxy.FailQuery;
        env.Dns.Proxy.FailQuery = q => q.Name == host || (previous?.Invoke(q) ?? false);
        try
        {
            await using var sut = env.CreateResolver(o =>
            {
                o.FetchRetryCount = 1;
                o.FetchRetryDelay = TimeSpan.FromMilliseconds(10);
            });

            var resolution = await sut.ResolveAsync(domain);

            AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-host-dns-failure");
            AssertNeverContacted(domain);
            Assert.True(env.Dns.QueryCount(host, "A") >= 2, $"A queries: {env.Dns.QueryCount(host, "A")}");
        }
        finally
        {
            env.Dns.Proxy.FailQuery = previous;
        }
    }

    /// <summary>A new policy domain whose zone holds <c>_mta-sts TXT "v=STSv1; id=id1"</c> and <paramref name="records"/> only; a valid policy and certificate are configured at the HTTPS server.</summary>
    private async Task<string> AddZoneAsync(params string[] records)
    {
        var domain = MtaStsEnvironment.NewDomainName("g");
        env.Https.SetCertificate(PolicyHost(domain), env.Ca.IssueServerCertificate(PolicyHost(domain)));
        env.Https.SetPolicy(PolicyHost(domain), MtaStsEnvironment.Policy());
        await env.Dns.SetZoneRecordsAsync(domain, ["_mta-sts 1 IN TXT \"v=STSv1; id=id1\"", .. records]);
        return domain;
    }

    private void AssertNeverContacted(string domain)
    {
        Assert.Equal(0, env.Https.HandshakeCount(PolicyHost(domain)));
        Assert.Equal(0, env.Https.RequestCount(PolicyHost(domain)));
    }
}
