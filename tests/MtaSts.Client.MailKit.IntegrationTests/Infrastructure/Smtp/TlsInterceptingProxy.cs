using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// A TLS man in the middle: relays the upstream server's greeting and EHLO replies (adding STARTTLS if the upstream
/// lacks it), answers the client's STARTTLS itself with <c>220 2.0.0 Ready to start TLS</c>, completes the TLS
/// handshake with the client presenting its own certificate (self-signed, wrong name, expired, …), and then relays the
/// decrypted session to the upstream server in plaintext (the client's second EHLO goes upstream as is; STARTTLS is
/// removed from the replies once TLS is up). Everything it decrypts lands in <see cref="SmtpProxy.ClientToServer"/>.
/// </summary>
/// <remarks>
/// <para>
/// Whether the client accepted the certificate is judged by what it does next, not by the handshake: .NET on Linux
/// checks the server certificate only after the TLS handshake has completed, and then just closes the connection. So a
/// handshake counts as accepted (<see cref="AcceptedHandshakeCount"/>) once the client sends data over TLS, and as
/// rejected (<see cref="RejectedHandshakeCount"/>) when it fails or the client closes without sending anything. A
/// rejection costs no fault: the proxy closes both connections.
/// </para>
/// <para>
/// The counters change in the background: wait with <see cref="SmtpProxy.WaitForIdleAsync"/> (or poll) before asserting.
/// </para>
/// </remarks>
public sealed class TlsInterceptingProxy : SmtpProxy
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    private readonly SslServerAuthenticationOptions _tlsOptions;
    private readonly Lock _gate = new();
    private readonly List<string> _serverNames = [];
    private readonly List<string> _handshakeFailures = [];
    private int _handshakeCount;
    private int _acceptedHandshakeCount;

    private TlsInterceptingProxy(IPEndPoint upstream, X509Certificate2 certificate, X509Certificate2Collection? additionalCertificates, SslProtocols enabledProtocols)
        : base(upstream)
    {
        Certificate = certificate;
        _tlsOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates, offline: true),
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = enabledProtocols,
        };
    }

    /// <summary>The certificate the proxy presents to clients.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Number of TLS handshakes started (one per STARTTLS the proxy accepted).</summary>
    public int HandshakeCount => Volatile.Read(ref _handshakeCount);

    /// <summary>Number of TLS sessions over which the client then sent data: it accepted the proxy's certificate, and the proxy read its traffic in the clear.</summary>
    public int AcceptedHandshakeCount => Volatile.Read(ref _acceptedHandshakeCount);

    /// <summary>Number of TLS handshakes that failed, or after which the client sent nothing (typically: it rejected the certificate).</summary>
    public int RejectedHandshakeCount
    {
        get
        {
            lock (_gate)
            {
                return _handshakeFailures.Count;
            }
        }
    }

    /// <summary>How each rejected handshake ended, as the proxy saw it.</summary>
    public IReadOnlyList<string> HandshakeFailures
    {
        get
        {
            lock (_gate)
            {
                return [.. _handshakeFailures];
            }
        }
    }

    /// <summary>The SNI name of every ClientHello received (empty string when the client sent none).</summary>
    public IReadOnlyList<string> ServerNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _serverNames];
            }
        }
    }

    /// <summary>Starts a proxy on 127.0.0.1 in front of <paramref name="upstream"/> that presents <paramref name="certificate"/> (with its private key).</summary>
    /// <param name="upstream">The SMTP server to relay to (in plaintext).</param>
    /// <param name="certificate">The certificate the proxy presents, with its private key.</param>
    /// <param name="additionalCertificates">Intermediate certificates to send after it, if any.</param>
    /// <param name="enabledProtocols">TLS versions to accept; <see cref="SslProtocols.None"/> leaves the choice to the system.</param>
    public static TlsInterceptingProxy Start(
        IPEndPoint upstream,
        X509Certificate2 certificate,
        X509Certificate2Collection? additionalCertificates = null,
        SslProtocols enabledProtocols = SslProtocols.None)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The proxy needs the certificate's private key.", nameof(certificate));
        }

        var proxy = new TlsInterceptingProxy(upstream, certificate, additionalCertificates, enabledProtocols);
        proxy.StartListening();
        return proxy;
    }

    internal override IReadOnlyList<string> RewriteEhloReply(SmtpProxySession session, IReadOnlyList<string> lines) =>
        session.IsTls ? SmtpReplies.WithoutStartTls(lines) : SmtpReplies.WithStartTls(lines);

    internal override async ValueTask<ProxyCommandResult> HandleCommandAsync(SmtpProxySession session, string verb, CancellationToken cancellationToken)
    {
        if (verb != SmtpReplies.StartTls)
        {
            return ProxyCommandResult.Forward;
        }

        if (session.IsTls)
        {
            await session.ReplyLocallyAsync("554 5.5.1 Error: TLS already active", cancellationToken);
            return ProxyCommandResult.Handled;
        }

        await session.ReplyLocallyAsync("220 2.0.0 Ready to start TLS", cancellationToken);
        Interlocked.Increment(ref _handshakeCount);
        string description;
        try
        {
            description = await HandshakeAsync(session, cancellationToken);
        }
        catch (Exception ex) when (IsConnectionEnd(ex) || ex is InvalidDataException)
        {
            AddFailure(session, $"the handshake failed: {ex.GetType().Name}: {ex.Message}");
            return ProxyCommandResult.CloseConnection;
        }

        Note(session, "TLS handshake with the client completed: " + description);
        return ProxyCommandResult.Handled;
    }

    internal override void OnClientDataOverTls(SmtpProxySession session) => Interlocked.Increment(ref _acceptedHandshakeCount);

    internal override void OnConnectionEnded(SmtpProxySession session)
    {
        if (session.IsTls && session.ClientBytesOverTls == 0)
        {
            AddFailure(session, "the client sent nothing over TLS" + (session.ClientEndReason is { } reason ? $" ({reason})" : string.Empty));
        }
    }

    private void AddFailure(SmtpProxySession session, string failure)
    {
        lock (_gate)
        {
            _handshakeFailures.Add(failure);
        }

        Note(session, "TLS rejected: " + failure);
    }

    private async Task<string> HandshakeAsync(SmtpProxySession session, CancellationToken cancellationToken)
    {
        var description = string.Empty;
        await session.UpgradeClientAsync(
            async (stream, token) =>
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: true);
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                    timeout.CancelAfter(HandshakeTimeout);
                    await tls.AuthenticateAsServerAsync(
                        (_, hello, _, _) =>
                        {
                            lock (_gate)
                            {
                                _serverNames.Add(hello.ServerName ?? string.Empty);
                            }

                            return ValueTask.FromResult(_tlsOptions);
                        },
                        null,
                        timeout.Token);
                    description = $"{tls.SslProtocol}, SNI '{tls.TargetHostName}'";
                    return tls;
                }
                catch
                {
                    await tls.DisposeAsync();
                    throw;
                }
            },
            cancellationToken);
        return description;
    }
}
