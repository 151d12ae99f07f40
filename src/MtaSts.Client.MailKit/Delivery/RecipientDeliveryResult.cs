using MimeKit;

namespace MtaSts.MailKit;

/// <summary>How delivery to one recipient ended (issue-8 rule 6: a rejected recipient fails alone). Immutable.</summary>
public sealed class RecipientDeliveryResult
{
    internal RecipientDeliveryResult(MailboxAddress recipient, DeliveryStatus status, int? replyCode, string? detail, string? mxHost)
    {
        Recipient = recipient;
        Status = status;
        ReplyCode = replyCode;
        Detail = detail;
        MxHost = mxHost;
    }

    /// <summary>Gets the recipient.</summary>
    public MailboxAddress Recipient { get; }

    /// <summary>Gets how delivery ended: <see cref="DeliveryStatus.Delivered"/>, <see cref="DeliveryStatus.TemporaryFailure"/> or <see cref="DeliveryStatus.PermanentFailure"/>.</summary>
    public DeliveryStatus Status { get; }

    /// <summary>Gets the SMTP reply code that decided it (250 when delivered, 550 for an unknown user, …), or <see langword="null"/> when no reply did (a network failure, a refusal under the policy).</summary>
    public int? ReplyCode { get; }

    /// <summary>Gets the server's reply text or a reason code from <see cref="ReasonCodes"/>.</summary>
    public string? Detail { get; }

    /// <summary>Gets the MX host whose reply decided it, when one did.</summary>
    public string? MxHost { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Recipient.Address}: {Status}{(ReplyCode is { } code ? " " + code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}{(Detail is null ? "" : " " + Detail)}";
}
