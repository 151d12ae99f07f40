using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>
/// The instruments and spans of docs/telemetry.md, end to end. Other resolvers in the process emit on meter and source
/// <c>MtaSts</c> too, so metrics are observed through this test's own <see cref="IMeterFactory"/> (the meter's scope)
/// and activities are kept only when they carry this test's policy domain.
/// </summary>
public sealed partial class PolicyResolverTests
{
    [Fact]
    public async Task ResolveAsync_SuccessfulFetch_EmitsFetchDurationAndDiscoveryAndFetchSpans()
    {
        var domain = await _env.AddDomainAsync(id: "tel1");
        using var spans = new DomainActivityCollector(domain);
        await using var scope = EnvironmentResolver.Create(_env, configureServices: s => s.AddMetrics());
        var meters = scope.Services.GetRequiredService<IMeterFactory>();
        using var fetchDuration = new MetricCollector<double>(meters, MtaStsTelemetry.Name, "mtasts.fetch.duration");
        using var resolutions = new MetricCollector<long>(meters, MtaStsTelemetry.Name, "mtasts.resolutions");
        using var misses = new MetricCollector<long>(meters, MtaStsTelemetry.Name, "mtasts.cache.misses");
        using var hits = new MetricCollector<long>(meters, MtaStsTelemetry.Name, "mtasts.cache.hits");
        var sut = scope.Resolver;

        var fetched = await sut.ResolveAsync(domain);
        var cached = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, fetched.Status);
        Assert.Equal(PolicyResolutionStatus.Cached, cached.Status);
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));

        var duration = Assert.Single(fetchDuration.GetMeasurementSnapshot());
        Assert.InRange(duration.Value, 0, 60);
        Assert.Null(duration.Tags.GetValueOrDefault("error.type"));
        Assert.Equal(1, Assert.Single(misses.GetMeasurementSnapshot()).Value);
        Assert.Equal(1, Assert.Single(hits.GetMeasurementSnapshot()).Value);
        // Cache hits are counted by mtasts.cache.hits only (docs/telemetry.md).
        Assert.Equal(["fetched"], resolutions.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.outcome"]));

        var discovery = Assert.Single(spans.Named("mtasts.discovery"));
        Assert.Equal(ActivityKind.Client, discovery.Kind);
        Assert.Equal("_mta-sts." + domain, discovery.GetTagItem("dns.question.name"));
        Assert.Equal("Found", discovery.GetTagItem("mtasts.txt.status"));
        Assert.NotEqual(ActivityStatusCode.Error, discovery.Status);
        var fetch = Assert.Single(spans.Named("mtasts.fetch"));
        Assert.Equal(ActivityKind.Client, fetch.Kind);
        Assert.Equal(PolicyHost(domain), fetch.GetTagItem("server.address"));
        Assert.Null(fetch.GetTagItem("error.type"));
        Assert.NotEqual(ActivityStatusCode.Error, fetch.Status);
    }

    [Fact]
    public async Task ResolveAsync_FailedFetch_TagsDurationAndFetchSpanWithReason()
    {
        var domain = await _env.AddDomainAsync(id: "tel2");
        _env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Status(404));
        using var spans = new DomainActivityCollector(domain);
        await using var scope = EnvironmentResolver.Create(_env, configureServices: s => s.AddMetrics());
        var meters = scope.Services.GetRequiredService<IMeterFactory>();
        using var fetchDuration = new MetricCollector<double>(meters, MtaStsTelemetry.Name, "mtasts.fetch.duration");
        using var resolutions = new MetricCollector<long>(meters, MtaStsTelemetry.Name, "mtasts.resolutions");

        var result = await scope.Resolver.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Equal("http-status-404", result.FailureReasonCode);
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));

        Assert.Equal("http-status-404", Assert.Single(fetchDuration.GetMeasurementSnapshot()).Tags["error.type"]);
        var resolution = Assert.Single(resolutions.GetMeasurementSnapshot());
        Assert.Equal("no_policy", resolution.Tags["mtasts.outcome"]);
        Assert.Equal("sts-policy-fetch-error", resolution.Tags["error.type"]);

        var fetch = Assert.Single(spans.Named("mtasts.fetch"));
        Assert.Equal(PolicyHost(domain), fetch.GetTagItem("server.address"));
        Assert.Equal(ActivityStatusCode.Error, fetch.Status);
        Assert.Equal("http-status-404", fetch.StatusDescription);
        Assert.Equal("http-status-404", fetch.GetTagItem("error.type"));
    }

    [Fact]
    public async Task ResolveAsync_DnsFailure_MarksDiscoverySpanAsError()
    {
        var domain = await _env.AddDomainAsync(id: "tel3");
        using var spans = new DomainActivityCollector(domain);
        await using var sut = _env.CreateResolver();
        _env.Dns.Proxy.FailQuery = q => q.Name == "_mta-sts." + domain;
        PolicyResolution result;
        try
        {
            result = await sut.ResolveAsync(domain);
        }
        finally
        {
            _env.Dns.Proxy.FailQuery = null;
        }

        Assert.Equal(PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Equal(0, _env.Https.RequestCount(PolicyHost(domain)));
        var discovery = Assert.Single(spans.Named("mtasts.discovery"));
        Assert.Equal("TemporaryFailure", discovery.GetTagItem("mtasts.txt.status"));
        Assert.Equal(ActivityStatusCode.Error, discovery.Status);
        Assert.Equal("dns-serverfailure", discovery.GetTagItem("error.type"));
        Assert.Empty(spans.Named("mtasts.fetch"));
    }

    /// <summary>Records the stopped <c>MtaSts</c> activities whose <c>mtasts.policy_domain</c> is one domain.</summary>
    private sealed class DomainActivityCollector : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public DomainActivityCollector(string policyDomain)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == MtaStsTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (Equals(activity.GetTagItem("mtasts.policy_domain"), policyDomain))
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Named(string operationName) => [.. _stopped.Where(a => a.OperationName == operationName)];

        public void Dispose() => _listener.Dispose();
    }
}
