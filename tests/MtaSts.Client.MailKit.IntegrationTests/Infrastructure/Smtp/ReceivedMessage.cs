using System.Text;
using MimeKit;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// One message that an <see cref="SmtpTestServer"/> accepted over SMTP and delivered to every recipient, read back
/// from its Maildir.
/// </summary>
public sealed class ReceivedMessage
{
    /// <summary>Postfix's queue ID of the message (one per SMTP transaction).</summary>
    public required string QueueId { get; init; }

    /// <summary>The envelope sender (MAIL FROM), empty for the null sender.</summary>
    public required string Sender { get; init; }

    /// <summary>The envelope recipients (RCPT TO, as the client gave them), sorted ordinally.</summary>
    public required IReadOnlyList<string> Recipients { get; init; }

    /// <summary>
    /// The message as stored for its first recipient: the client's message with the headers Postfix adds on top
    /// (<c>Return-Path</c>, <c>X-Original-To</c>, <c>Delivered-To</c>, <c>Received</c>).
    /// </summary>
    public required byte[] Raw { get; init; }

    /// <summary>The EHLO/HELO name the client gave, from the Received header.</summary>
    public string? HeloName { get; init; }

    /// <summary>The TLS version the message came in over (such as <c>TLSv1.3</c>), or <see langword="null"/> when it came in plaintext.</summary>
    public string? TlsProtocol { get; init; }

    /// <summary>The TLS cipher the message came in over, or <see langword="null"/> when it came in plaintext.</summary>
    public string? TlsCipher { get; init; }

    /// <summary>Whether the message came in over TLS (STARTTLS).</summary>
    public bool ReceivedOverTls => TlsProtocol is not null;

    /// <summary><see cref="Raw"/> as text (UTF-8).</summary>
    public string Text => Encoding.UTF8.GetString(Raw);

    /// <summary>Parses <see cref="Raw"/> with MimeKit.</summary>
    public MimeMessage ToMimeMessage()
    {
        using var stream = new MemoryStream(Raw, writable: false);
        return MimeMessage.Load(stream);
    }
}
