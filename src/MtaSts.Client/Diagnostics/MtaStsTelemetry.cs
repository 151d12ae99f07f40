using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MtaSts;

/// <summary>
/// The package's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>MtaSts</c>. Instruments carry no
/// domain names as tags (unbounded cardinality, and recipients' domains are personal data in aggregate); domains go
/// on activities and logs only. Every instrument is listed in <c>docs/telemetry.md</c>.
/// </summary>
internal sealed class MtaStsTelemetry : IDisposable
{
    public const string Name = "MtaSts";

    private readonly Meter _meter;
    private readonly Counter<long> _resolutions;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Histogram<double> _fetchDuration;
    private readonly Counter<long> _refreshFailures;
    private readonly Counter<long> _recordChecks;
    private readonly Counter<long> _storeErrors;

    public MtaStsTelemetry(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        _resolutions = _meter.CreateCounter<long>("mtasts.resolutions", "{resolution}", "Policy resolutions that went past the memory cache, by outcome (cache hits are mtasts.cache.hits).");
        _cacheHits = _meter.CreateCounter<long>("mtasts.cache.hits", "{lookup}", "Resolutions answered from a valid cached policy.");
        _cacheMisses = _meter.CreateCounter<long>("mtasts.cache.misses", "{lookup}", "Resolutions that found no valid cached policy.");
        _fetchDuration = _meter.CreateHistogram<double>("mtasts.fetch.duration", "s", "Duration of policy fetches over HTTPS, retries included.");
        _refreshFailures = _meter.CreateCounter<long>("mtasts.refresh.failures", "{refresh}", "Background TXT re-checks and proactive refreshes that failed while a policy was cached.");
        _storeErrors = _meter.CreateCounter<long>("mtasts.store.errors", "{operation}", "Durable policy store operations that failed, by operation.");
        _recordChecks = _meter.CreateCounter<long>("mtasts.record_checks", "{check}", "TXT record re-checks of cached policies, by outcome.");
    }

    public ActivitySource ActivitySource { get; } = new(Name);

    public Meter Meter => _meter;

    /// <summary>
    /// Counts a cache hit. On the hot path: without a listener it costs a field read. Cache hits are counted here only;
    /// <c>mtasts.resolutions</c> counts the resolutions that went past the memory cache.
    /// </summary>
    public void CacheHit()
    {
        if (_cacheHits.Enabled)
        {
            _cacheHits.Add(1);
        }
    }

    public void CacheMiss() => _cacheMisses.Add(1);

    public void Resolved(PolicyResolutionStatus status, TlsRptResultType? failure)
    {
        var outcome = status switch
        {
            PolicyResolutionStatus.Fetched => "fetched",
            PolicyResolutionStatus.Cached => "cached",
            PolicyResolutionStatus.TemporaryFailure => "temporary_failure",
            _ => "no_policy",
        };
        if (failure is { } type)
        {
            _resolutions.Add(1, new KeyValuePair<string, object?>("mtasts.outcome", outcome), new KeyValuePair<string, object?>("error.type", type.ToResultTypeString()));
        }
        else
        {
            _resolutions.Add(1, new KeyValuePair<string, object?>("mtasts.outcome", outcome));
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
            _fetchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("error.type", ErrorCategory(errorType)));
        }
    }

    public void RefreshFailed(string kind) => _refreshFailures.Add(1, new KeyValuePair<string, object?>("mtasts.refresh.kind", kind));

    public void StoreFailed(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("mtasts.store.operation", operation));

    public void RecordChecked(string outcome) => _recordChecks.Add(1, new KeyValuePair<string, object?>("mtasts.outcome", outcome));

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }

    /// <summary>Keeps metric tags low-cardinality: a syntax reason carries a line number and a rule, the tag does not.</summary>
    private static string ErrorCategory(string reason) =>
        reason.StartsWith("policy-syntax", StringComparison.Ordinal) ? "policy-syntax" : reason;
}
