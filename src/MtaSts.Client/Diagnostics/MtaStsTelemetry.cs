using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MtaSts;

/// <summary>
/// The package's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <see cref="MtaStsDiagnostics.MeterName"/>
/// and created through <see cref="IMeterFactory"/> when the application has one. Instruments carry no domain names as
/// tags (unbounded cardinality, and recipients' domains are personal data in aggregate); domains go on activities and
/// logs only. Every instrument is listed in <c>docs/telemetry.md</c>.
/// </summary>
/// <remarks>
/// The pattern for the other packages of the family: a public static class of names (<see cref="MtaStsDiagnostics"/>),
/// one internal sealed telemetry class that owns the meter and the source and exposes one method per event, instrument
/// names prefixed with the package's namespace (<c>mtasts.</c>), units in UCUM, <c>error.type</c> for failures, and bucket
/// advice on every histogram. Call sites say what happened (<see cref="CacheHit"/>); this class decides how it is recorded.
/// </remarks>
internal sealed class MtaStsTelemetry : IDisposable
{
    /// <summary>The meter and activity source name (kept for callers that predate <see cref="MtaStsDiagnostics"/>).</summary>
    public const string Name = MtaStsDiagnostics.MeterName;

    internal const string CacheResultTag = "mtasts.cache.result";
    internal const string ResolutionStatusTag = "mtasts.resolution.status";
    internal const string RecordCheckResultTag = "mtasts.record_check.result";
    internal const string RefreshKindTag = "mtasts.refresh.kind";
    internal const string StoreOperationTag = "mtasts.store.operation";
    internal const string ErrorTypeTag = "error.type";

    /// <summary>
    /// Bucket boundaries of <c>mtasts.fetch.duration</c>, in seconds: OpenTelemetry's HTTP client buckets, extended to the
    /// 60-second fetch budget RFC 8461 §3.3 suggests.
    /// </summary>
    internal static readonly double[] FetchDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

    private static readonly string? Version = typeof(MtaStsTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly Meter _meter;
    private readonly Counter<long> _resolutions;
    private readonly Counter<long> _cacheLookups;
    private readonly Histogram<double> _fetchDuration;
    private readonly Counter<long> _fetchRetries;
    private readonly Counter<long> _refreshFailures;
    private readonly Counter<long> _recordChecks;
    private readonly Counter<long> _storeErrors;

    public MtaStsTelemetry(IMeterFactory? meterFactory)
    {
        var options = new MeterOptions(MtaStsDiagnostics.MeterName) { Version = Version };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _resolutions = _meter.CreateCounter<long>("mtasts.resolutions", "{resolution}", "Policy resolutions that went past the memory cache, by status (cache hits are counted by mtasts.cache.lookups).");
        _cacheLookups = _meter.CreateCounter<long>("mtasts.cache.lookups", "{lookup}", "Lookups of the policy cache, by result (hit: a valid cached policy answered without I/O; negative_hit: a cached 'no policy' answer did).");
        _fetchDuration = _meter.CreateHistogram(
            "mtasts.fetch.duration",
            "s",
            "Duration of policy fetches over HTTPS, retries included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FetchDurationBuckets });
        _fetchRetries = _meter.CreateCounter<long>("mtasts.fetch.retries", "{retry}", "Policy fetch attempts retried after a transient failure, by the failure.");
        _refreshFailures = _meter.CreateCounter<long>("mtasts.refresh.failures", "{refresh}", "Background TXT re-checks and proactive refreshes that failed while a policy was cached.");
        _storeErrors = _meter.CreateCounter<long>("mtasts.store.errors", "{operation}", "Durable policy store operations that failed, by operation.");
        _recordChecks = _meter.CreateCounter<long>("mtasts.record_checks", "{check}", "TXT record re-checks of cached policies, by result.");
        ActivitySource = new ActivitySource(MtaStsDiagnostics.ActivitySourceName, Version);
    }

    public ActivitySource ActivitySource { get; }

    public Meter Meter => _meter;

    /// <summary>
    /// Counts a cache hit. On the hot path: without a listener it costs one field read, and with one it allocates
    /// nothing (a single tag whose value is a constant string).
    /// </summary>
    public void CacheHit(CacheEntry entry)
    {
        if (_cacheLookups.Enabled)
        {
            // A cached "no policy" answer (issue 11) is a hit of its own kind.
            _cacheLookups.Add(1, new KeyValuePair<string, object?>(CacheResultTag, entry.IsNegative ? "negative_hit" : "hit"));
        }
    }

    /// <summary>Counts a lookup that found no valid cached policy and went on to the durable store or the network.</summary>
    public void CacheMiss() => _cacheLookups.Add(1, new KeyValuePair<string, object?>(CacheResultTag, "miss"));

    public void Resolved(PolicyResolutionStatus status, TlsRptResultType? failure)
    {
        var value = status switch
        {
            PolicyResolutionStatus.Fetched => "fetched",
            PolicyResolutionStatus.Cached => "cached",
            PolicyResolutionStatus.TemporaryFailure => "temporary_failure",
            _ => "no_policy",
        };
        if (failure is { } type)
        {
            _resolutions.Add(1, new KeyValuePair<string, object?>(ResolutionStatusTag, value), new KeyValuePair<string, object?>(ErrorTypeTag, type.ToResultTypeString()));
        }
        else
        {
            _resolutions.Add(1, new KeyValuePair<string, object?>(ResolutionStatusTag, value));
        }
    }

    public void RecordFetch(TimeSpan elapsed, string? errorType)
    {
        if (errorType is null)
        {
            _fetchDuration.Record(elapsed.TotalSeconds);
        }
        else
        {
            _fetchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(ErrorTypeTag, ErrorCategory(errorType)));
        }
    }

    /// <summary>Counts a retried fetch attempt (called by the fetch pipeline's telemetry listener).</summary>
    public void FetchRetried(string? errorType) =>
        _fetchRetries.Add(1, new KeyValuePair<string, object?>(ErrorTypeTag, errorType is null ? "_OTHER" : ErrorCategory(errorType)));

    public void RefreshFailed(string kind) => _refreshFailures.Add(1, new KeyValuePair<string, object?>(RefreshKindTag, kind));

    public void StoreFailed(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>(StoreOperationTag, operation));

    public void RecordChecked(string outcome) => _recordChecks.Add(1, new KeyValuePair<string, object?>(RecordCheckResultTag, outcome));

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }

    /// <summary>Keeps metric tags low-cardinality: a syntax reason carries a line number and a rule, the tag does not.</summary>
    private static string ErrorCategory(string reason) =>
        reason.StartsWith("policy-syntax", StringComparison.Ordinal) ? "policy-syntax" : reason;
}
