using System.Net;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// A STARTTLS downgrade attacker (RFC 8461 §1, RFC 3207 §6): relays an SMTP session in plaintext, removes the
/// <c>STARTTLS</c> keyword from every EHLO reply (renumbering the multi-line reply so that only its last line reads
/// <c>250 </c>), and answers a STARTTLS command the client sends anyway with <c>502 5.5.1 Command not recognized</c>
/// without forwarding it. Everything else (including HELO, DATA and BDAT content) passes unchanged, so a client that
/// goes on without TLS delivers its message through the proxy in plaintext, where <see cref="SmtpProxy.ClientToServer"/>
/// shows it.
/// </summary>
public sealed class StartTlsStrippingProxy : SmtpProxy
{
    private int _startTlsCommandCount;

    private StartTlsStrippingProxy(IPEndPoint upstream)
        : base(upstream)
    {
    }

    /// <summary>Number of STARTTLS commands clients sent although it was not advertised (all answered with 502).</summary>
    public int StartTlsCommandCount => Volatile.Read(ref _startTlsCommandCount);

    /// <summary>Starts a proxy on 127.0.0.1 in front of <paramref name="upstream"/>.</summary>
    public static StartTlsStrippingProxy Start(IPEndPoint upstream)
    {
        var proxy = new StartTlsStrippingProxy(upstream);
        proxy.StartListening();
        return proxy;
    }

    internal override IReadOnlyList<string> RewriteEhloReply(SmtpProxySession session, IReadOnlyList<string> lines) =>
        SmtpReplies.WithoutStartTls(lines);

    internal override async ValueTask<ProxyCommandResult> HandleCommandAsync(SmtpProxySession session, string verb, CancellationToken cancellationToken)
    {
        if (verb != SmtpReplies.StartTls)
        {
            return ProxyCommandResult.Forward;
        }

        Interlocked.Increment(ref _startTlsCommandCount);
        await session.ReplyLocallyAsync("502 5.5.1 Command not recognized", cancellationToken);
        return ProxyCommandResult.Handled;
    }
}
