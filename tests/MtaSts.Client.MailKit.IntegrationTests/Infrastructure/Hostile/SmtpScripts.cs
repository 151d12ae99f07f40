using System.Security.Cryptography.X509Certificates;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>Building blocks for <see cref="HostileSmtpServer"/> scripts: a correct receiver, and the ways to misbehave.</summary>
public static class SmtpScripts
{
    public const string ServerName = "hostile.mtasts.test";

    /// <summary>Answers one EHLO (or HELO) with the given capabilities; returns <see langword="false"/> if the client went away.</summary>
    public static async Task<bool> EhloAsync(HostileSmtpConnection c, bool offerStartTls, bool pipelining = false, bool eightBitMime = true)
    {
        var line = await c.ReadLineAsync();
        if (line is null)
        {
            return false;
        }

        if (line.StartsWith("HELO", StringComparison.OrdinalIgnoreCase))
        {
            await c.ReplyAsync("250 " + ServerName);
            return true;
        }

        await c.SendAsync($"250-{ServerName} greets you\r\n{(eightBitMime ? "250-8BITMIME\r\n" : "")}{(pipelining ? "250-PIPELINING\r\n" : "")}{(offerStartTls ? "250-STARTTLS\r\n" : "")}250 ENHANCEDSTATUSCODES\r\n");
        return true;
    }

    /// <summary>
    /// A correct receiver: greeting, EHLO, STARTTLS with <paramref name="certificate"/> when given, EHLO again, then
    /// transactions until QUIT. <paramref name="rcptReply"/> chooses each RCPT reply (default 250); the other steps can
    /// be overridden to misbehave, and <paramref name="hangUpAfterStartTls"/> says yes to STARTTLS and hangs up.
    /// </summary>
    public static async Task ServeAsync(
        HostileSmtpConnection c,
        X509Certificate2? certificate,
        Func<string, string>? rcptReply = null,
        string? startTlsReply = null,
        string? mailReply = null,
        string? dataReply = null,
        bool hangUpAfterStartTls = false,
        bool pipelining = false,
        bool eightBitMime = true)
    {
        await c.ReplyAsync($"220 {ServerName} ESMTP");
        if (!await EhloAsync(c, offerStartTls: certificate is not null || startTlsReply is not null, pipelining, eightBitMime))
        {
            return;
        }

        while (await c.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', ':')[0].ToUpperInvariant();
            switch (verb)
            {
                case "STARTTLS" when startTlsReply is not null:
                    await c.ReplyAsync(startTlsReply);
                    break;
                case "STARTTLS" when hangUpAfterStartTls:
                    await c.ReplyAsync("220 2.0.0 go ahead");
                    return;
                case "STARTTLS" when certificate is not null && !c.TlsStarted:
                    await c.ReplyAsync("220 2.0.0 go ahead");
                    await c.StartTlsAsync(certificate);
                    if (!await EhloAsync(c, offerStartTls: false, pipelining, eightBitMime))
                    {
                        return;
                    }

                    break;
                case "EHLO" or "HELO":
                    await c.ReplyAsync("250 " + ServerName);
                    break;
                case "MAIL":
                    await c.ReplyAsync(mailReply ?? "250 2.1.0 ok");
                    break;
                case "RCPT" when mailReply is not null && !mailReply.StartsWith('2'):
                    // What Postfix answers to RCPT after refusing MAIL (say with 530 before STARTTLS).
                    await c.ReplyAsync("503 5.5.1 Error: need MAIL command");
                    break;
                case "RCPT":
                    await c.ReplyAsync(rcptReply?.Invoke(line) ?? "250 2.1.5 ok");
                    break;
                case "DATA":
                    await c.ReplyAsync("354 go ahead");
                    while (await c.ReadLineAsync() is { } body && body != ".")
                    {
                    }

                    await c.ReplyAsync(dataReply ?? "250 2.0.0 queued as HOSTILE");
                    break;
                case "RSET" or "NOOP":
                    await c.ReplyAsync("250 2.0.0 ok");
                    break;
                case "QUIT":
                    await c.ReplyAsync("221 2.0.0 bye");
                    return;
                default:
                    await c.ReplyAsync("502 5.5.2 not implemented");
                    break;
            }
        }
    }
}
