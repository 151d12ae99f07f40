using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

[Collection(MtaStsCollection.Name)]
public sealed class ResolverSmokeTests(MtaStsEnvironment env)
{
    [Fact]
    public async Task ResolveAsync_RealDnsAndHttps_FetchesThenServesFromCache()
    {
        var domain = await env.AddDomainAsync(id: "20160831085700Z");
        await using var sut = env.CreateResolver();

        var first = await sut.ResolveAsync(domain);
        var second = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.Null(first.FailureReasonCode);
        Assert.Equal("20160831085700Z", first.PolicyId);
        Assert.True(first.IsEnforced);
        Assert.True(first.Policy!.MatchesMx("mx.example.net"));
        Assert.Equal(PolicyResolutionStatus.Cached, second.Status);
        Assert.Equal(1, env.Dns.QueryCount("_mta-sts." + domain, "TXT"));
        Assert.Equal(1, env.Https.RequestCount("mta-sts." + domain));
    }
}
