using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

public sealed class ResolverTelemetryTests : IDisposable
{
    private readonly ResolverHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task ResolveAsync_MissThenHit_CountsOutcomesWithoutDomainTags()
    {
        using var hits = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.cache.hits");
        using var misses = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.cache.misses");
        using var resolutions = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.resolutions");
        _h.Dns.SetId("example.com", "a");
        _h.Fetcher.SetPolicy("example.com");

        await _h.Resolver.ResolveAsync("example.com");
        await _h.Resolver.ResolveAsync("example.com");
        await _h.Resolver.ResolveAsync("example.com");

        Assert.Equal(2, hits.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, misses.GetMeasurementSnapshot().EvaluateAsCounter());
        var outcomes = resolutions.GetMeasurementSnapshot().Select(m => (string?)m.Tags["mtasts.outcome"]).ToList();
        Assert.Equal(["fetched"], outcomes);
        Assert.DoesNotContain(resolutions.GetMeasurementSnapshot(), m => m.Tags.Values.Contains("example.com"));
    }

    [Fact]
    public async Task ResolveAsync_FetchFailure_TagsErrorType()
    {
        using var resolutions = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.resolutions");
        _h.Dns.SetId("example.com", "a");
        _h.Fetcher.SetResult("example.com", PolicyFetchResult.WebPkiInvalid("untrusted-root"));

        await _h.Resolver.ResolveAsync("example.com");

        var measurement = Assert.Single(resolutions.GetMeasurementSnapshot());
        Assert.Equal("no_policy", measurement.Tags["mtasts.outcome"]);
        Assert.Equal("sts-webpki-invalid", measurement.Tags["error.type"]);
    }
}
