using System.Diagnostics.Metrics;

namespace MtaSts;

/// <summary>
/// TLS-RPT instruments on the package's <c>MtaSts</c> meter (<see cref="MtaStsTelemetry"/>). No domain names or
/// addresses as tags; every instrument is listed in <c>docs/telemetry.md</c>.
/// </summary>
internal sealed class TlsRptTelemetry
{
    public const string SessionSuccess = "success";
    public const string SessionFailure = "failure";
    public const string SessionNotCounted = "not_counted";
    public const string SessionReportDelivery = "report_delivery";

    private const string TransportTag = "mtasts.tlsrpt.transport";

    private readonly Counter<long> _sessions;
    private readonly Counter<long> _built;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _flushFailures;

    public TlsRptTelemetry(MtaStsTelemetry telemetry)
    {
        var meter = telemetry.Meter;
        _sessions = meter.CreateCounter<long>("mtasts.tlsrpt.sessions", "{session}", "SMTP sessions seen by the TLS-RPT collector, by how they were counted.");
        _built = meter.CreateCounter<long>("mtasts.tlsrpt.reports.built", "{report}", "TLS reports built for a policy domain with a TLS-RPT record, marked sent and queued.");
        _sent = meter.CreateCounter<long>("mtasts.tlsrpt.reports.sent", "{report}", "TLS reports accepted by a destination, by transport.");
        _failed = meter.CreateCounter<long>("mtasts.tlsrpt.reports.failed", "{report}", "TLS reports a destination never accepted (permanent failure, or retries exhausted), by transport.");
        _suppressed = meter.CreateCounter<long>("mtasts.tlsrpt.reports.suppressed", "{report}", "TLS reports not sent to a destination: suppressed, rate-limited or not a usable transport.");
        _attempts = meter.CreateCounter<long>("mtasts.tlsrpt.delivery.attempts", "{attempt}", "Delivery attempts of TLS reports, by transport and outcome.");
        _flushFailures = meter.CreateCounter<long>("mtasts.tlsrpt.flush.failures", "{flush}", "Writes of the collector's counts to the report store that failed (the counts are kept for the next one).");
    }

    /// <summary>Counts a session. On the delivery path: without a listener it costs one field read.</summary>
    public void SessionRecorded(string outcome)
    {
        if (_sessions.Enabled)
        {
            _sessions.Add(1, new KeyValuePair<string, object?>("mtasts.tlsrpt.session", outcome));
        }
    }

    public void ReportBuilt() => _built.Add(1);

    public void ReportSent(string transport) => _sent.Add(1, new KeyValuePair<string, object?>(TransportTag, transport));

    public void ReportFailed(string transport, string errorType) =>
        _failed.Add(1, new KeyValuePair<string, object?>(TransportTag, transport), new KeyValuePair<string, object?>("error.type", errorType));

    public void ReportSuppressed(string transport, string reason) =>
        _suppressed.Add(1, new KeyValuePair<string, object?>(TransportTag, transport), new KeyValuePair<string, object?>("mtasts.tlsrpt.reason", reason));

    public void DeliveryAttempted(string transport, TlsReportDeliveryStatus status) =>
        _attempts.Add(
            1,
            new KeyValuePair<string, object?>(TransportTag, transport),
            new KeyValuePair<string, object?>("mtasts.outcome", status switch
            {
                TlsReportDeliveryStatus.Delivered => "delivered",
                TlsReportDeliveryStatus.TemporaryFailure => "temporary_failure",
                _ => "permanent_failure",
            }));

    public void FlushFailed() => _flushFailures.Add(1);
}
