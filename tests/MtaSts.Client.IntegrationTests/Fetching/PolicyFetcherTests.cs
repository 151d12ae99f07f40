using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// The policy fetch (RFC 8461 §3.3, checklist B, Decision 19) through the public resolver, against the real Knot and
/// Kestrel servers, asserting on the resolution and on what the servers saw. This part: status codes and redirects.
/// </summary>
[Collection(MtaStsCollection.Name)]
public sealed partial class PolicyFetcherTests(MtaStsEnvironment env)
{
    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task ResolveAsync_RedirectToValidPolicy_FetchErrorAndTargetNeverRequested(int statusCode)
    {
        // K.25: the redirect target serves a perfectly valid policy, on the same server, with a trusted certificate.
        var target = await env.AddDomainAsync();
        var domain = await env.AddDomainAsync();
        var location = $"https://{PolicyHost(target)}:{env.Https.Port}{HttpsPolicyServer.PolicyPath}";
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Redirect(location, statusCode));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, $"http-status-{statusCode}");
        Assert.Equal(1, env.Https.RequestCount(PolicyHost(domain)));
        Assert.Equal(0, env.Https.RequestCount(PolicyHost(target)));
        Assert.Equal(0, env.Https.HandshakeCount(PolicyHost(target)));
    }

    [Theory]
    [InlineData(204)]
    [InlineData(206)]
    [InlineData(304)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task ResolveAsync_StatusOtherThan200_NoPolicyWithFetchError(int statusCode)
    {
        // K.30 and B.4: only 200 yields a policy; without a cache, deliver as if there were no MTA-STS.
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Status(statusCode));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, $"http-status-{statusCode}");
        Assert.Equal(1, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_Status206WithValidPolicyBody_NoPolicy()
    {
        // A body that would parse does not make a non-200 response acceptable (RFC 8461 §3.3 "MUST only accept ... 200").
        var domain = await env.AddDomainAsync();
        var body = PolicyResponse.Policy(MtaStsEnvironment.Policy());
        env.Https.SetResponse(PolicyHost(domain), new PolicyResponse { StatusCode = 206, Body = body.Body });
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "http-status-206");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task ResolveAsync_TransientStatusWithRetries_RetriedUntilTheRetriesAreSpent(int statusCode)
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Status(statusCode));
        await using var sut = env.CreateResolver(o =>
        {
            o.FetchRetryCount = 2;
            o.FetchRetryDelay = TimeSpan.FromMilliseconds(10);
        });

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, $"http-status-{statusCode}");
        Assert.Equal(3, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_Status500ThenPolicyWithRetries_FetchedOnTheRetry()
    {
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        server.SetHandler(host, (context, number) => number == 1
            ? WriteStatusAsync(context, 500)
            : WritePolicyAsync(context, MtaStsEnvironment.Policy()));
        await using var sut = env.CreateResolver(o =>
        {
            o.PolicyHostPort = server.Port;
            o.FetchRetryCount = 2;
            o.FetchRetryDelay = TimeSpan.FromMilliseconds(10);
        });

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
        Assert.Equal(2, server.RequestsFor(host).Count);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(204)]
    [InlineData(301)]
    public async Task ResolveAsync_PermanentStatusWithRetries_NotRetried(int statusCode)
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Status(statusCode));
        await using var sut = env.CreateResolver(o =>
        {
            o.FetchRetryCount = 2;
            o.FetchRetryDelay = TimeSpan.FromMilliseconds(10);
        });

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, $"http-status-{statusCode}");
        Assert.Equal(1, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_SameIdAfterFailedFetch_NoSecondRequestUntilTheIdChanges()
    {
        // K.34 / Decision 22: back-off per (domain, id); a new id is fetched at once.
        var domain = await env.AddDomainAsync(id: "X");
        var host = PolicyHost(domain);
        env.Https.SetResponse(host, PolicyResponse.Status(404));
        await using var sut = env.CreateResolver();

        var first = await sut.ResolveAsync(domain);
        var second = await sut.ResolveAsync(domain);
        env.Https.SetPolicy(host, MtaStsEnvironment.Policy());
        var third = await sut.ResolveAsync(domain);
        await env.SetIdAsync(domain, "Y");
        var fourth = await sut.ResolveAsync(domain);

        AssertNoPolicy(first, TlsRptResultType.StsPolicyFetchError, "http-status-404");
        AssertNoPolicy(second, TlsRptResultType.StsPolicyFetchError, "fetch-backoff");
        AssertNoPolicy(third, TlsRptResultType.StsPolicyFetchError, "fetch-backoff");
        AssertFetched(fourth, "Y");
        Assert.Equal(2, env.Https.RequestCount(host));
    }
}
