using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>Single-flight per domain against the real servers.</summary>
public sealed partial class PolicyResolverTests
{
    [Fact]
    public async Task ResolveAsync_ThousandConcurrentCallsForUncachedDomain_ShareOneTxtQueryAndOneFetch()
    {
        var domain = await _env.AddDomainAsync(id: "crowd1");
        await using var sut = _env.CreateResolver();

        // Holding every answer back keeps the first lookup in flight while all the calls are made.
        _env.Dns.Proxy.ResponseDelay = TimeSpan.FromMilliseconds(250);
        PolicyResolution[] results;
        try
        {
            var calls = Enumerable.Range(0, 1000).Select(_ => sut.ResolveAsync(domain).AsTask()).ToList();
            results = await Task.WhenAll(calls);
        }
        finally
        {
            _env.Dns.Proxy.ResponseDelay = TimeSpan.Zero;
        }

        Assert.Equal(1000, results.Length);
        Assert.All(results, r => Assert.Equal(PolicyResolutionStatus.Fetched, r.Status));
        Assert.All(results, r => Assert.Equal("crowd1", r.PolicyId));
        Assert.All(results, r => Assert.True(r.IsEnforced));
        Assert.Single(results.Select(r => r.Policy).Distinct());
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(1, _env.Dns.QueryCount(PolicyHost(domain), "A"));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }
}
