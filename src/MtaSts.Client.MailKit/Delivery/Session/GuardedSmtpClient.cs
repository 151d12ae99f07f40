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

    /// <summary>Gets the RCPT reply of each recipient that got one.</summary>
    public IReadOnlyDictionary<MailboxAddress, SmtpResponse> RecipientReplies => _replies;

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) => _replies[mailbox] = response;

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) => _replies[mailbox] = response;
}
