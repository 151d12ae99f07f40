using MimeKit;

namespace MtaSts.MailKit;

/// <summary>
/// Delivers TLS reports to <c>mailto:</c> destinations (RFC 8460 §5.3) through <see cref="MtaStsDeliveryAgent"/> as report
/// deliveries: not subject to the recipient's MTA-STS policy, and never counted in a report (RFC 8460 §3).
/// </summary>
internal sealed class MailTlsReportTransport : ITlsReportTransport
{
    private readonly MtaStsDeliveryAgent _agent;
    private readonly TlsReportMessageBuilder _builder;

    public MailTlsReportTransport(MtaStsDeliveryAgent agent, TlsReportMessageBuilder builder)
    {
        _agent = agent;
        _builder = builder;
    }

    public string Scheme => Uri.UriSchemeMailto;

    public async Task<TlsReportDeliveryResult> DeliverAsync(TlsReportSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.RecipientAddress is not { } address || !MailboxAddress.TryParse(address, out var recipient) || string.IsNullOrEmpty(recipient.Domain))
        {
            return TlsReportDeliveryResult.PermanentFailure("invalid-recipient-address");
        }

        var message = _builder.Build(submission, recipient);
        var result = await _agent.DeliverToDomainAsync(message, _builder.Sender, recipient.Domain, [recipient], isReportDelivery: true, cancellationToken).ConfigureAwait(false);
        var detail = result.MxHost is { } mx ? $"{mx}: {result.Detail}" : result.Detail ?? result.Status.ToString();
        return result.Status switch
        {
            DeliveryStatus.Delivered => TlsReportDeliveryResult.Delivered(detail),
            DeliveryStatus.PermanentFailure => TlsReportDeliveryResult.PermanentFailure(detail),
            _ => TlsReportDeliveryResult.TemporaryFailure(detail),
        };
    }
}
