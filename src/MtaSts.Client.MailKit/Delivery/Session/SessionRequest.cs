using System.Net;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>One SMTP session to make: where, under which TLS requirement, for which pending recipients.</summary>
internal sealed record SessionRequest(
    DeliveryContext Delivery,
    string MxHost,
    IPAddress Address,
    TlsVerdict Verdict,
    bool Plaintext,
    SessionOutcomeBuilder Outcome)
{
    public MimeMessage Message => Delivery.Message;

    public MailboxAddress Sender => Delivery.Sender;

    /// <summary>Gets the host's DANE status, when it was looked up.</summary>
    public TlsaLookupStatus? TlsaStatus { get; init; }
}
