using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>Issue 11: first contacts at MTA scale share their work — one TXT query and one fetch per domain, however many callers.</summary>
public sealed class FirstContactTests : IDisposable
{
    private readonly ResolverHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task ResolveAsync_TenThousandConcurrentFirstContactsAcrossOneHundredDomains_ExactlyOneHundredFetches()
    {
        var domains = Enumerable.Range(0, 100).Select(i => $"d{i}.example").ToArray();
        foreach (var domain in domains)
        {
            _h.Dns.SetId(domain, "a");
            _h.Fetcher.SetPolicy(domain);
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Fetcher.Gate = gate;
        var calls = Enumerable.Range(0, 10_000)
            .Select(i => Task.Run(async () => await _h.Resolver.ResolveAsync(domains[i % domains.Length])))
            .ToArray();
        await WaitUntilAsync(() => _h.Fetcher.TotalFetches == domains.Length);
        gate.SetResult();
        var resolutions = await Task.WhenAll(calls);

        Assert.All(resolutions, r => Assert.True(r.IsEnforced));
        Assert.Equal(domains.Length, _h.Fetcher.TotalFetches);
        Assert.Equal(domains.Length, _h.Dns.TxtQueries);
        Assert.All(domains, d => Assert.Equal(1, _h.Fetcher.Fetches(d)));
    }

    /// <summary>Identical policy texts are shared: a provider's policy is held once however many customer domains use it.</summary>
    [Fact]
    public async Task ResolveAsync_DomainsWithTheSamePolicyText_ShareOnePolicyObject()
    {
        foreach (var domain in new[] { "a.example", "b.example" })
        {
            _h.Dns.SetId(domain, "x");
            _h.Fetcher.SetPolicy(domain, mx: "*.mail.provider.example");
        }

        var a = await _h.Resolver.ResolveAsync("a.example");
        var b = await _h.Resolver.ResolveAsync("b.example");

        Assert.Same(a.Policy, b.Policy);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "The condition was not met within 30 s.");
            await Task.Delay(5);
        }
    }
}
