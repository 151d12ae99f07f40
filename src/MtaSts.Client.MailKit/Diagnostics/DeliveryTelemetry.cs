using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MtaSts.MailKit;

/// <summary>
/// The MailKit package's meter and activity source (<see cref="MtaStsMailKitDiagnostics"/>), created through
/// <see cref="IMeterFactory"/> when the application has one; the same pattern as the core package's telemetry.
/// </summary>
internal sealed class DeliveryTelemetry : IDisposable
{
    internal const string PolicyModeTag = "mtasts.policy.mode";
    internal const string SessionTlsTag = "mtasts.session.tls";
    internal const string DeliveryStatusTag = "mtasts.delivery.status";
    internal const string AttemptOutcomeTag = "mtasts.mx_attempt.outcome";
    internal const string ErrorTypeTag = "error.type";

    /// <summary>Bucket boundaries of <c>mtasts.delivery.duration</c>, in seconds: from a quick loopback delivery to the 30-minute domain deadline.</summary>
    internal static readonly double[] DeliveryDurationBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    private static readonly string? Version = typeof(DeliveryTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly Meter _meter;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _deliveryDuration;

    public DeliveryTelemetry(IMeterFactory? meterFactory)
    {
        var options = new MeterOptions(MtaStsMailKitDiagnostics.MeterName) { Version = Version };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _sessions = _meter.CreateCounter<long>("mtasts.smtp.sessions", "{session}", "SMTP sessions that reached a TLS decision, by policy mode, TLS and TLS-RPT result type (error.type) of a failure.");
        _attempts = _meter.CreateCounter<long>("mtasts.mx.attempts", "{attempt}", "Tries at MX hosts, by outcome.");
        _deliveryDuration = _meter.CreateHistogram(
            "mtasts.delivery.duration",
            "s",
            "Duration of deliveries to one recipient domain, every MX host and the re-check included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryDurationBuckets });
        ActivitySource = new ActivitySource(MtaStsMailKitDiagnostics.ActivitySourceName, Version);
    }

    public ActivitySource ActivitySource { get; }

    public static string ModeTag(MtaStsMode? mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        MtaStsMode.None => "none",
        _ => "no_policy",
    };

    public void Session(SmtpSessionOutcome outcome, MtaStsMode? mode)
    {
        if (!_sessions.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { PolicyModeTag, ModeTag(mode) },
            { SessionTlsTag, outcome.TlsProtocol is not null },
        };
        if (outcome.ResultType is { } type)
        {
            tags.Add(ErrorTypeTag, type.ToResultTypeString());
        }

        _sessions.Add(1, tags);
    }

    public void Attempt(MxAttemptOutcome outcome)
    {
        if (_attempts.Enabled)
        {
            _attempts.Add(1, new KeyValuePair<string, object?>(AttemptOutcomeTag, AttemptTag(outcome)));
        }
    }

    public void Delivery(TimeSpan elapsed, DeliveryStatus status, MtaStsMode? mode) =>
        _deliveryDuration.Record(
            elapsed.TotalSeconds,
            new KeyValuePair<string, object?>(DeliveryStatusTag, StatusTag(status)),
            new KeyValuePair<string, object?>(PolicyModeTag, ModeTag(mode)));

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }

    internal static string StatusTag(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.PartiallyDelivered => "partially_delivered",
        DeliveryStatus.PermanentFailure => "permanent_failure",
        _ => "temporary_failure",
    };

    private static string AttemptTag(MxAttemptOutcome outcome) => outcome switch
    {
        MxAttemptOutcome.Delivered => "delivered",
        MxAttemptOutcome.NotInPolicy => "not_in_policy",
        MxAttemptOutcome.Unreachable => "unreachable",
        MxAttemptOutcome.StartTlsNotSupported => "starttls_not_supported",
        MxAttemptOutcome.CertificateRejected => "certificate_rejected",
        MxAttemptOutcome.TlsFailed => "tls_failed",
        MxAttemptOutcome.Rejected => "rejected",
        MxAttemptOutcome.DaneIndeterminate => "dane_indeterminate",
        MxAttemptOutcome.DaneRequired => "dane_required",
        _ => "deferred",
    };
}
