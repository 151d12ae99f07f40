using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// What the fetcher sends (B.1, B.3, B.6, B.12, K.35): the request line, Host, SNI, no cookies, and never a conditional
/// request, with the policy lifetime taken from <c>max_age</c> alone.
/// </summary>
public sealed partial class PolicyFetcherTests
{
    private static readonly string[] ConditionalHeaders = ["If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"];

    [Fact]
    public async Task ResolveAsync_Fetch_GetsTheWellKnownPathFromThePolicyHost()
    {
        var domain = await env.AddDomainAsync();
        await using var sut = env.CreateResolver();

        await sut.ResolveAsync(domain);

        var request = Assert.Single(env.Https.Requests, r => r.Host == PolicyHost(domain));
        Assert.Equal(("GET", "/.well-known/mta-sts.txt"), (request.Method, request.Path));
    }

    [Fact]
    public async Task ResolveAsync_Fetch_SendsThePolicyHostAsSni()
    {
        // B.3 / RFC 8461 §7.1: SNI always, with the policy host name.
        var domain = await env.AddDomainAsync();
        await using var sut = env.CreateResolver();

        var first = await sut.ResolveAsync(domain);
        var second = await sut.ResolveAsync(domain);

        AssertFetched(first);
        Assert.Equal(PolicyResolutionStatus.Cached, second.Status);
        Assert.Equal(1, env.Https.HandshakeCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_Fetch_RequestCarriesHostWithPortSniAndNoCookies()
    {
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));

        // The first answer sets a cookie; a client with a cookie jar would send it back with the second request.
        server.SetHandler(host, (context, _) => WritePolicyAsync(context, MtaStsEnvironment.Policy(), ("Set-Cookie", "session=secret; Path=/; Secure")));
        await using var sut = env.CreateResolver(o => o.PolicyHostPort = server.Port);

        AssertFetched(await sut.ResolveAsync(domain));
        await env.SetIdAsync(domain, "id2");
        AssertFetched(await sut.RecheckAsync(domain), "id2");

        var requests = server.RequestsFor(host);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, request =>
        {
            Assert.Equal("GET", request.Method);
            Assert.Equal(HttpsPolicyServer.PolicyPath, request.Path);
            Assert.Equal(string.Empty, request.QueryString);
            Assert.Equal($"{host}:{server.Port.ToString(CultureInfo.InvariantCulture)}", request.HostHeader);
            Assert.Equal(host, request.ServerName);
            Assert.False(request.Headers.ContainsKey("Cookie"), "a cookie was sent");
            Assert.False(request.Headers.ContainsKey("Authorization"), "credentials were sent");
        });
    }

    [Fact]
    public async Task ResolveAsync_DomainInUpperCaseWithTrailingDot_RequestsTheNormalisedHost()
    {
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        server.SetHandler(host, (context, _) => WritePolicyAsync(context, MtaStsEnvironment.Policy()));
        await using var sut = env.CreateResolver(o => o.PolicyHostPort = server.Port);

        var resolution = await sut.ResolveAsync(domain.ToUpperInvariant() + ".");

        AssertFetched(resolution);
        var request = Assert.Single(server.RequestsFor(host));
        Assert.Equal($"{host}:{server.Port.ToString(CultureInfo.InvariantCulture)}", request.HostHeader);
        Assert.Equal(host, request.ServerName);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ResolveAsync_InternationalisedDomain_RequestsTheALabelHost(bool askWithULabel)
    {
        // B.1: "The Policy Domain goes in A-label form" in the URL, hence in Host and SNI. The zone, certificate and
        // policy are all in place under the A-label name, so the only way to fail is for the resolver to lose the name.
        await using var server = await RecordingPolicyServer.StartAsync();
        var unicode = MtaStsEnvironment.NewDomainName("bücher");
        var domain = new IdnMapping().GetAscii(unicode);
        var host = PolicyHost(domain);
        await env.SetRecordsAsync(domain, ["v=STSv1; id=id1"]);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        server.SetHandler(host, (context, _) => WritePolicyAsync(context, MtaStsEnvironment.Policy()));
        await using var sut = env.CreateResolver(o => o.PolicyHostPort = server.Port);

        var resolution = await sut.ResolveAsync(askWithULabel ? unicode : domain);

        Assert.Equal(domain, resolution.PolicyDomain);
        Assert.Equal(1, env.Dns.QueryCount("_mta-sts." + domain, "TXT"));
        AssertFetched(resolution);
        Assert.StartsWith("mta-sts.xn--", host, StringComparison.Ordinal);
        var request = Assert.Single(server.RequestsFor(host));
        Assert.Equal($"{host}:{server.Port.ToString(CultureInfo.InvariantCulture)}", request.HostHeader);
        Assert.Equal(host, request.ServerName);
    }

    [Fact]
    public async Task RecheckAsync_NewIdAfterResponseWithValidators_FullUnconditionalGetAndMaxAgeFromBody()
    {
        // K.35 and B.6: Cache-Control, ETag, Last-Modified and Expires on the response change nothing.
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        server.SetHandler(host, (context, number) => WriteCacheablePolicyAsync(context, number, maxAge: number == 1 ? 86400 : 3600));
        await using var sut = env.CreateResolver(o => o.PolicyHostPort = server.Port);

        var first = await sut.ResolveAsync(domain);
        await env.SetIdAsync(domain, "id2");
        var second = await sut.RecheckAsync(domain);

        AssertFetched(first);
        AssertFetched(second, "id2");
        Assert.Equal(TimeSpan.FromSeconds(86400), first.ExpiresAt - first.FetchedAt);
        Assert.Equal(TimeSpan.FromSeconds(3600), second.ExpiresAt - second.FetchedAt);
        Assert.Equal(TimeSpan.FromSeconds(3600), second.Policy!.MaxAge);
        AssertUnconditional(server.RequestsFor(host), expected: 2);
    }

    [Fact]
    public async Task RefreshDueAsync_AfterResponseWithValidators_FullUnconditionalGetAndMaxAgeFromBody()
    {
        // K.35 "the next day's refresh", with RefreshInterval shortened to one hour and fake time to reach it. The fake
        // clock also drives the fetch budget, so that budget is made long enough for the clock steps taken while waiting.
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        server.SetHandler(host, (context, number) => WriteCacheablePolicyAsync(context, number, maxAge: number == 1 ? 86400 : 7200));
        await using var sut = env.CreateResolver(
            o =>
            {
                o.PolicyHostPort = server.Port;
                o.RefreshInterval = TimeSpan.FromHours(1);
                o.FetchTimeout = TimeSpan.FromDays(1);
            },
            time);

        var first = await sut.ResolveAsync(domain);
        time.Advance(TimeSpan.FromMinutes(60)); // the refresh is due after 54–60 minutes; the refresh loop looks every 2.5

        // Step on until the refresh loop (whose first wait may have started only now) has made its request.
        await Poll.UntilAsync(
            () =>
            {
                if (server.RequestsFor(host).Count >= 2)
                {
                    return true;
                }

                time.Advance(TimeSpan.FromSeconds(30));
                return false;
            },
            "the proactive refresh");

        // The refresh is still in flight or has stored its result (a re-check does not share a refresh: issue-8 rule 11).
        PolicyResolution refreshed;
        var deadline = Environment.TickCount64 + 30_000;
        while ((refreshed = await sut.ResolveAsync(domain)).FetchedAt == first.FetchedAt)
        {
            Assert.True(Environment.TickCount64 < deadline, "the proactive refresh did not store its result within 30 s");
            await Task.Delay(10);
        }

        AssertFetched(first);
        Assert.Equal(TimeSpan.FromSeconds(86400), first.ExpiresAt - first.FetchedAt);
        Assert.InRange(refreshed.FetchedAt!.Value, first.FetchedAt!.Value.AddMinutes(54), time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(7200), refreshed.ExpiresAt - refreshed.FetchedAt);
        Assert.Equal(TimeSpan.FromSeconds(7200), refreshed.Policy!.MaxAge);
        Assert.Equal("id1", refreshed.PolicyId);
        AssertUnconditional(server.RequestsFor(host), expected: 2);
    }

    private static async Task WriteCacheablePolicyAsync(Microsoft.AspNetCore.Http.HttpContext context, int number, long maxAge)
    {
        var lastModified = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(number);
        await WritePolicyAsync(
            context,
            MtaStsEnvironment.Policy(maxAge: maxAge),
            ("Cache-Control", "public, max-age=60"),
            ("ETag", $"\"policy-{number.ToString(CultureInfo.InvariantCulture)}\""),
            ("Last-Modified", lastModified.ToString("R", CultureInfo.InvariantCulture)),
            ("Expires", lastModified.AddSeconds(60).ToString("R", CultureInfo.InvariantCulture)));
    }

    private static void AssertUnconditional(IReadOnlyList<RecordedRequest> requests, int expected)
    {
        Assert.Equal(expected, requests.Count);
        Assert.All(requests, request =>
        {
            foreach (var header in ConditionalHeaders)
            {
                Assert.False(request.Headers.ContainsKey(header), $"a conditional request ({header}) was sent");
            }

            Assert.Contains("no-cache", request.Headers.GetValueOrDefault("Cache-Control") ?? string.Empty, StringComparison.Ordinal);
        });
    }
}
