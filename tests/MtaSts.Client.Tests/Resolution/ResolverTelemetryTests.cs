using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

public sealed class ResolverTelemetryTests : IDisposable
{
    private readonly ResolverHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task ResolveAsync_MissThenHits_CountsOneCacheInstrumentByResultWithoutDomainTags()
    {
        using var lookups = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.cache.lookups");
        using var resolutions = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.resolutions");
        _h.Dns.SetId("example.com", "a");
        _h.Fetcher.SetPolicy("example.com");

        await _h.Resolver.ResolveAsync("example.com");
        await _h.Resolver.ResolveAsync("example.com");
        await _h.Resolver.ResolveAsync("example.com");

        var results = lookups.GetMeasurementSnapshot().Select(m => (string?)m.Tags[MtaStsTelemetry.CacheResultTag]).ToList();
        Assert.Equal(["miss", "hit", "hit"], results);
        Assert.All(lookups.GetMeasurementSnapshot(), m => Assert.Equal(1, m.Value));
        var statuses = resolutions.GetMeasurementSnapshot().Select(m => (string?)m.Tags[MtaStsTelemetry.ResolutionStatusTag]).ToList();
        Assert.Equal(["fetched"], statuses);
        Assert.DoesNotContain(resolutions.GetMeasurementSnapshot().Concat(lookups.GetMeasurementSnapshot()), m => m.Tags.Values.Contains("example.com"));
    }

    [Fact]
    public async Task ResolveAsync_FetchFailure_TagsErrorType()
    {
        using var resolutions = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.resolutions");
        _h.Dns.SetId("example.com", "a");
        _h.Fetcher.SetResult("example.com", PolicyFetchResult.WebPkiInvalid("untrusted-root"));

        await _h.Resolver.ResolveAsync("example.com");

        var measurement = Assert.Single(resolutions.GetMeasurementSnapshot());
        Assert.Equal("no_policy", measurement.Tags[MtaStsTelemetry.ResolutionStatusTag]);
        Assert.Equal("sts-webpki-invalid", measurement.Tags["error.type"]);
    }

    [Fact]
    public void Meter_IsNamedAfterThePackageAndEveryInstrumentStatesAUnit()
    {
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _h.Telemetry.Meter))
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();

        Assert.Equal("MtaSts.Client", MtaStsDiagnostics.MeterName);
        Assert.Equal(MtaStsDiagnostics.MeterName, _h.Telemetry.Meter.Name);
        Assert.False(string.IsNullOrEmpty(_h.Telemetry.Meter.Version));
        Assert.Equal(
            ["mtasts.cache.lookups", "mtasts.fetch.duration", "mtasts.fetch.retries", "mtasts.record_checks", "mtasts.refresh.failures", "mtasts.resolutions", "mtasts.store.errors"],
            instruments.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(instruments, i => Assert.False(string.IsNullOrEmpty(i.Unit), i.Name));
        Assert.All(instruments, i => Assert.False(string.IsNullOrEmpty(i.Description), i.Name));

        // Every instrument is in the table of docs/telemetry.md.
        var docs = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "telemetry.md"));
        Assert.All(instruments, i => Assert.Contains($"| `{i.Name}` |", docs, StringComparison.Ordinal));
    }

    [Fact]
    public void FetchDuration_HasBucketAdviceInSecondsUpToTheFetchBudget()
    {
        Histogram<double>? duration = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _h.Telemetry.Meter) && instrument is Histogram<double> { Name: "mtasts.fetch.duration" } h)
                {
                    duration = h;
                }
            },
        };
        listener.Start();

        Assert.NotNull(duration);
        Assert.Equal("s", duration.Unit);
        var buckets = duration.Advice?.HistogramBucketBoundaries;
        Assert.NotNull(buckets);
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(new MtaStsOptions().FetchTimeout.TotalSeconds, buckets[^1]);
        Assert.Contains(0.1, buckets);
    }

    [Fact]
    public void ActivitySource_IsNamedAfterThePackage()
    {
        Assert.Equal("MtaSts.Client", MtaStsDiagnostics.ActivitySourceName);
        Assert.Equal(MtaStsDiagnostics.ActivitySourceName, _h.Telemetry.ActivitySource.Name);
        Assert.Equal(_h.Telemetry.Meter.Version, _h.Telemetry.ActivitySource.Version);
    }

    [Fact]
    public async Task CacheHitAndMiss_RecordOnTheOneCacheInstrumentWithAResultTag()
    {
        using var lookups = new MetricCollector<long>(_h.Telemetry.Meter, "mtasts.cache.lookups");

        _h.Dns.SetId("example.com", "a");
        _h.Fetcher.SetPolicy("example.com");
        _h.Dns.SetNotFound("nopolicy.example", TimeSpan.FromMinutes(5));
        await _h.Resolver.ResolveAsync("example.com");
        await _h.Resolver.ResolveAsync("nopolicy.example");
        await _h.Resolver.ResolveAsync("example.com");
        await _h.Resolver.ResolveAsync("nopolicy.example");

        Assert.Equal(["miss", "miss", "hit", "negative_hit"], lookups.GetMeasurementSnapshot().Select(m => (string?)m.Tags[MtaStsTelemetry.CacheResultTag]));
        Assert.All(lookups.GetMeasurementSnapshot(), m => Assert.Single(m.Tags));
    }
}
