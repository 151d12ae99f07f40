namespace MtaSts;

/// <summary>
/// Delivers TLS reports to <c>rua</c> destinations of one URI scheme. The HTTPS transport is built in; the mail transport
/// comes with MtaSts.Client.MailKit (<c>AddTlsReportMail</c>).
/// </summary>
/// <remarks>Implementations must be thread-safe and report protocol outcomes as results, not exceptions.</remarks>
public interface ITlsReportTransport
{
    /// <summary>Gets the URI scheme served, in lower case: <c>https</c> or <c>mailto</c>.</summary>
    string Scheme { get; }

    /// <summary>Makes one attempt to deliver <paramref name="submission"/> to its <see cref="TlsReportSubmission.Destination"/>.</summary>
    /// <param name="submission">The report and its destination.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>How the attempt ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="submission"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<TlsReportDeliveryResult> DeliverAsync(TlsReportSubmission submission, CancellationToken cancellationToken = default);
}
