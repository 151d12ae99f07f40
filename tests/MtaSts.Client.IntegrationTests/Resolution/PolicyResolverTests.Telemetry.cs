using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
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
        using var fetchDuration = new MetricCollector<double>(meters, MtaStsDiagnostics.MeterName, "mtasts.fetch.duration");
        using var resolutions = new MetricCollector<long>(meters, MtaStsDiagnostics.MeterName, "mtasts.resolutions");
        using var lookups = new MetricCollector<long>(meters, MtaStsDiagnostics.MeterName, "mtasts.cache.lookups");
        var sut = scope.Resolver;

        var fetched = await sut.ResolveAsync(domain);
        var cached = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, fetched.Status);
        Assert.Equal(PolicyResolutionStatus.Cached, cached.Status);
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));

        var duration = Assert.Single(fetchDuration.GetMeasurementSnapshot());
        Assert.InRange(duration.Value, 0, 60);
        Assert.Null(duration.Tags.GetValueOrDefault("error.type"));
        Assert.Equal(["miss", "hit"], lookups.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.cache.result"]));
        // Cache hits are counted by mtasts.cache.lookups only (docs/telemetry.md).
        Assert.Equal(["fetched"], resolutions.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.resolution.status"]));

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
        using var fetchDuration = new MetricCollector<double>(meters, MtaStsDiagnostics.MeterName, "mtasts.fetch.duration");
        using var resolutions = new MetricCollector<long>(meters, MtaStsDiagnostics.MeterName, "mtasts.resolutions");

        var result = await scope.Resolver.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Equal("http-status-404", result.FailureReasonCode);
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));

        Assert.Equal("http-status-404", Assert.Single(fetchDuration.GetMeasurementSnapshot()).Tags["error.type"]);
        var resolution = Assert.Single(resolutions.GetMeasurementSnapshot());
        Assert.Equal("no_policy", resolution.Tags["mtasts.resolution.status"]);
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

    [Fact]
    public async Task ResolveAsync_TransientFailuresRetried_PollyTelemetryReachesTheAppsLoggingAndBothMeters()
    {
        var domain = await _env.AddDomainAsync(id: "tel4");
        _env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Status(503));
        var pollyRetries = 0;
        using var pollyListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Polly")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        pollyListener.SetMeasurementEventCallback<int>((instrument, _, tags, _) =>
        {
            var pipeline = false;
            var retry = false;
            foreach (var tag in tags)
            {
                pipeline |= tag is { Key: "pipeline.name", Value: MtaStsDiagnostics.FetchPipelineName };
                retry |= tag is { Key: "event.name", Value: "OnRetry" };
            }

            if (pipeline && retry)
            {
                Interlocked.Increment(ref pollyRetries);
            }
        });
        pollyListener.Start();
        await using var scope = EnvironmentResolver.Create(
            _env,
            configure: o =>
            {
                o.FetchRetryCount = 2;
                o.FetchRetryDelay = TimeSpan.FromMilliseconds(10);
            },
            configureServices: s => s.AddMetrics().AddFakeLogging());
        using var retries = new MetricCollector<long>(scope.Services.GetRequiredService<IMeterFactory>(), MtaStsDiagnostics.MeterName, "mtasts.fetch.retries");

        var result = await scope.Resolver.ResolveAsync(domain);

        Assert.Equal("http-status-503", result.FailureReasonCode);
        Assert.Equal(3, _env.Https.RequestCount(PolicyHost(domain)));

        // This package's meter: one measurement per retry, tagged with the failure that caused it.
        Assert.Equal(["http-status-503", "http-status-503"], retries.GetMeasurementSnapshot().Select(m => m.Tags["error.type"]));

        // Polly's own telemetry: its logs go to the application's logger factory, its metrics to the Polly meter.
        var pollyLogs = scope.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category?.StartsWith("Polly", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(2, pollyLogs.Count(r => r.Message.Contains("OnRetry", StringComparison.Ordinal) && r.Message.Contains(MtaStsDiagnostics.FetchPipelineName, StringComparison.Ordinal)));
        Assert.DoesNotContain(pollyLogs, r => r.Message.Contains(domain, StringComparison.Ordinal));
        Assert.True(Volatile.Read(ref pollyRetries) >= 2, "Polly's meter reports the retries of the fetch pipeline.");
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
                ShouldListenTo = source => source.Name == MtaStsDiagnostics.MeterName,
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
