namespace MtaSts;

/// <summary>How one attempt to deliver a TLS report to one destination ended.</summary>
public enum TlsReportDeliveryStatus
{
    /// <summary>The destination accepted the report (an HTTPS 2xx, a mail accepted by an MX host).</summary>
    Delivered,

    /// <summary>Not now (a network error, HTTPS 5xx, 408 or 429, an SMTP 4xx): retried with back-off (RFC 8460 §5.5).</summary>
    TemporaryFailure,

    /// <summary>Never (HTTPS 3xx or 4xx, an SMTP 5xx, a refused address): not retried.</summary>
    PermanentFailure,
}
