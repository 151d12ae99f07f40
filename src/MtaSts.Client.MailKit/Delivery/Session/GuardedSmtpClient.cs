using System.Net.Security;
using global::MailKit.Net.Smtp;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>
/// An <see cref="SmtpClient"/> that records each recipient's reply instead of failing the whole message on the first
/// rejected one (issue-8 rule 6: a rejected recipient fails alone).
/// </summary>
internal sealed class GuardedSmtpClient(global::MailKit.IProtocolLogger protocolLogger) : SmtpClient(protocolLogger)
{
    private readonly Dictionary<MailboxAddress, SmtpResponse> _replies = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Gets the RCPT reply of each recipient that got one, once MAIL was accepted. With PIPELINING every RCPT is answered
    /// even when MAIL was refused (say <c>503 need MAIL</c> after a <c>530</c>): such replies say nothing about the
    /// recipient and are not kept.
    /// </summary>
    public IReadOnlyDictionary<MailboxAddress, SmtpResponse> RecipientReplies => SenderAccepted ? _replies : Empty;

    /// <summary>Gets a value indicating whether the server accepted MAIL FROM in this session.</summary>
    public bool SenderAccepted { get; private set; }

    private static IReadOnlyDictionary<MailboxAddress, SmtpResponse> Empty { get; } = new Dictionary<MailboxAddress, SmtpResponse>();

    /// <summary>Gets or sets the SNI name when it is not the host connected to: the TLSA base domain of a DANE host (RFC 7672 §8.1).</summary>
    public string? ServerName { get; set; }

    protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) => SenderAccepted = true;

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) => _replies[mailbox] = response;

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) => _replies[mailbox] = response;

    /// <summary>
    /// No TLS session resumption: a resumed session skips the certificate callback, so the verdict would be missing and an
    /// <c>enforce</c> session refused. Every session is validated afresh (RFC 8461 §4.2).
    /// </summary>
    protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback)
    {
        var options = base.GetSslClientAuthenticationOptions(ServerName ?? host, remoteCertificateValidationCallback);
        options.AllowTlsResume = false;
        return options;
    }
}
