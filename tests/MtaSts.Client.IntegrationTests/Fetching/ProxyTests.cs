using System.Net;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// <see cref="MtaStsOptions.Proxy"/> against a real CONNECT proxy on loopback: the fetch goes through the tunnel, and
/// every check that does not depend on who connects still applies end to end (certificate and name, status 200 only,
/// no redirects, the body cap); the address guard refuses what the resolver's own DNS shows before the proxy is asked.
/// </summary>
/// <remarks>
/// The proxy routes every tunnel to the local HTTPS server, whatever the name. The zones give the policy hosts no
/// address unless a case needs one, so that a fetch that bypassed the proxy would fail (no address) instead of
/// connecting anywhere.
/// </remarks>
[Collection(MtaStsCollection.Name)]
public sealed class ProxyTests(MtaStsEnvironment env) : IAsyncLifetime
{
    private ConnectProxy _proxy = null!;

    public Task InitializeAsync()
    {
        _proxy = ConnectProxy.Start((_, port) => new IPEndPoint(IPAddress.Loopback, port));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task ResolveAsync_ThroughProxy_FetchedOverOneTunnelToThePolicyHost()
    {
        var domain = await AddZoneAsync();
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
        Assert.Equal([$"CONNECT {PolicyHost(domain)}:{env.Https.Port} HTTP/1.1"], _proxy.Requests);
        Assert.Equal(1, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_ThroughProxyCertificateForAnotherName_WebPkiInvalid()
    {
        // The TLS session is end to end: the proxy cannot vouch for the policy host, the certificate check still runs.
        var domain = await AddZoneAsync();
        env.Https.SetCertificate(PolicyHost(domain), env.Ca.IssueServerCertificate("mta-sts.other.example"));
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name");
        Assert.Single(_proxy.Requests);
        Assert.Equal(0, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_ThroughProxyUntrustedCertificate_WebPkiInvalid()
    {
        var domain = await AddZoneAsync();
        using var selfSigned = TestCertificateAuthority.CreateSelfSignedServerCertificate(PolicyHost(domain));
        env.Https.SetCertificate(PolicyHost(domain), selfSigned);
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "untrusted-root");
        Assert.Single(_proxy.Requests);
    }

    [Theory]
    [InlineData("redirect", "http-status-301")]
    [InlineData("404", "http-status-404")]
    [InlineData("too-large", "policy-too-large")]
    [InlineData("html", "content-type-not-text-plain")]
    public async Task ResolveAsync_ThroughProxyResponseRefused_SameFailureAsDirect(string response, string reasonCode)
    {
        var domain = await AddZoneAsync();
        var other = await AddZoneAsync();
        env.Https.SetResponse(PolicyHost(domain), response switch
        {
            "redirect" => PolicyResponse.Redirect($"https://{PolicyHost(other)}:{env.Https.Port}/.well-known/mta-sts.txt"),
            "404" => PolicyResponse.Status(404),
            "too-large" => PolicyResponse.Policy(PaddedPolicy(MaxBody + 1)),
            _ => PolicyResponse.Policy(MtaStsEnvironment.Policy(), "text/html"),
        });
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        var expectedType = response == "html" ? TlsRptResultType.StsPolicyInvalid : TlsRptResultType.StsPolicyFetchError;
        AssertNoPolicy(resolution, expectedType, reasonCode);

        // One tunnel, to the policy host only: the redirect was not followed.
        Assert.Equal([$"CONNECT {PolicyHost(domain)}:{env.Https.Port} HTTP/1.1"], _proxy.Requests);
        Assert.Equal(0, env.Https.RequestCount(PolicyHost(other)));
    }

    [Theory]
    [InlineData("mta-sts 1 IN A 169.254.169.254", "policy-host-address-link-local")]
    [InlineData("mta-sts 1 IN A 127.0.0.1", "policy-host-address-loopback")]
    [InlineData("mta-sts 1 IN AAAA fd00::1", "policy-host-address-private")]
    public async Task ResolveAsync_ThroughProxyPolicyHostInRefusedRange_RefusedWithoutAskingTheProxy(string record, string reasonCode)
    {
        var domain = await AddZoneAsync(record);
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, reasonCode);
        Assert.Empty(_proxy.Requests);
    }

    [Fact]
    public async Task ResolveAsync_ThroughProxyOneOfTheAddressesRefused_Refused()
    {
        // Directly, a refused address is skipped and a public one used; behind a proxy the choice is the proxy's, so one
        // refused address is enough to refuse. (The public address is never contacted: nothing is asked of the proxy.)
        var domain = await AddZoneAsync("mta-sts 1 IN A 93.184.216.34", "mta-sts 1 IN A 10.0.0.1");
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-host-address-private");
        Assert.Empty(_proxy.Requests);
    }

    [Fact]
    public async Task ResolveAsync_ProxyRefusesTheTunnel_FetchErrorNotAnException()
    {
        var domain = await AddZoneAsync();
        _proxy.RefuseWith = "HTTP/1.1 403 Forbidden";
        await using var sut = CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, resolution.FailureResultType);
        Assert.Equal("http-proxytunnelerror", resolution.FailureReasonCode);
        Assert.Single(_proxy.Requests);
        Assert.Equal(0, env.Https.HandshakeCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_NoProxyConfigured_ProxyNeverContacted()
    {
        var domain = await AddZoneAsync("mta-sts 1 IN A 127.0.0.1");
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
        Assert.Empty(_proxy.Requests);
    }

    private MtaStsResolver CreateResolver() => env.CreateResolver(o =>
    {
        o.Proxy = _proxy.Uri;
        o.AllowPrivateAddresses = false;
    });

    /// <summary>A policy domain with <c>_mta-sts TXT "v=STSv1; id=id1"</c> and <paramref name="records"/> only, and a valid policy and certificate at the HTTPS server.</summary>
    private async Task<string> AddZoneAsync(params string[] records)
    {
        var domain = MtaStsEnvironment.NewDomainName("p");
        env.Https.SetCertificate(PolicyHost(domain), env.Ca.IssueServerCertificate(PolicyHost(domain)));
        env.Https.SetPolicy(PolicyHost(domain), MtaStsEnvironment.Policy());
        await env.Dns.SetZoneRecordsAsync(domain, ["_mta-sts 1 IN TXT \"v=STSv1; id=id1\"", .. records]);
        return domain;
    }
}
