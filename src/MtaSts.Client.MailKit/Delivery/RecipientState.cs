using MimeKit;

namespace MtaSts.MailKit;

/// <summary>Where one recipient stands during a delivery: pending (to be tried at the next MX) or decided.</summary>
internal sealed class RecipientState(MailboxAddress recipient)
{
    public MailboxAddress Recipient { get; } = recipient;

    /// <summary>Gets the final status, or <see langword="null"/> while the recipient is pending.</summary>
    public DeliveryStatus? Final { get; private set; }

    public int? ReplyCode { get; private set; }

    public string? Detail { get; private set; }

    public string? MxHost { get; private set; }

    public bool IsPending => Final is null;

    public void Deliver(int code, string? reply, string mxHost) => Decide(DeliveryStatus.Delivered, code, reply, mxHost);

    public void Reject(int code, string? reply, string mxHost) => Decide(DeliveryStatus.PermanentFailure, code, reply, mxHost);

    /// <summary>Records a temporary failure; the recipient stays pending for the next MX host.</summary>
    public void Defer(int? code, string? detail, string? mxHost)
    {
        if (IsPending)
        {
            (ReplyCode, Detail, MxHost) = (code, detail, mxHost);
        }
    }

    /// <summary>Ends the delivery of a pending recipient with a permanent failure that no reply gave (a null MX, say).</summary>
    public void Fail(string detail) => Decide(DeliveryStatus.PermanentFailure, null, detail, null);

    public RecipientDeliveryResult ToResult() => new(Recipient, Final ?? DeliveryStatus.TemporaryFailure, ReplyCode, Detail, MxHost);

    private void Decide(DeliveryStatus status, int? code, string? detail, string? mxHost)
    {
        if (IsPending)
        {
            (Final, ReplyCode, Detail, MxHost) = (status, code, detail, mxHost);
        }
    }
}
