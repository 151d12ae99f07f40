namespace MtaSts;

/// <summary>The result of one attempt to deliver a TLS report to one destination. Immutable.</summary>
public sealed class TlsReportDeliveryResult
{
    private TlsReportDeliveryResult(TlsReportDeliveryStatus status, string? detail)
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>Gets how the attempt ended.</summary>
    public TlsReportDeliveryStatus Status { get; }

    /// <summary>Gets a short reason or server reply, for logs (such as <c>http-status-503</c>).</summary>
    public string? Detail { get; }

    /// <summary>The destination accepted the report.</summary>
    /// <param name="detail">The server's reply, if worth logging.</param>
    /// <returns>The result.</returns>
    public static TlsReportDeliveryResult Delivered(string? detail = null) => new(TlsReportDeliveryStatus.Delivered, detail);

    /// <summary>The destination could not take the report now; it is retried.</summary>
    /// <param name="detail">Why.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="detail"/> is <see langword="null"/>.</exception>
    public static TlsReportDeliveryResult TemporaryFailure(string detail) =>
        new(TlsReportDeliveryStatus.TemporaryFailure, detail ?? throw new ArgumentNullException(nameof(detail)));

    /// <summary>The destination will never take the report; it is not retried.</summary>
    /// <param name="detail">Why.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="detail"/> is <see langword="null"/>.</exception>
    public static TlsReportDeliveryResult PermanentFailure(string detail) =>
        new(TlsReportDeliveryStatus.PermanentFailure, detail ?? throw new ArgumentNullException(nameof(detail)));

    /// <inheritdoc/>
    public override string ToString() => Detail is null ? Status.ToString() : $"{Status}: {Detail}";
}
