using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using global::MailKit;
using global::MailKit.Net.Smtp;
using global::MailKit.Security;
using MtaSts.MailKit;

namespace MtaSts.Tool.Smtp;

/// <summary>
/// Probes one MX address as enforcement would connect to it: <see cref="MtaStsTlsGuard"/> applied with the domain's
/// resolution (STARTTLS required and TLS 1.2 or later under <c>enforce</c>), the certificate judged by
/// <see cref="MxCertificateValidator"/> for the MX host name (sent in SNI). The session is EHLO, STARTTLS, EHLO, QUIT:
/// it never sends MAIL FROM.
/// </summary>
internal sealed class SmtpProbe
{
    private readonly MxCertificateValidator _validator;
    private readonly int _port;
    private readonly TimeSpan _timeout;
    private readonly string _heloName;

    public SmtpProbe(MxCertificateValidator validator, int port, TimeSpan timeout, string heloName)
    {
        _validator = validator;
        _port = port;
        _timeout = timeout;
        _heloName = heloName;
    }

    public async Task<SmtpProbeResult> ProbeAsync(PolicyResolution resolution, string host, IPAddress address, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return new SmtpProbeResult { Address = address, Error = "connect-failed: " + ex.SocketErrorCode };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SmtpProbeResult { Address = address, Error = "connect-timeout" };
        }

        var transcript = new TranscriptLogger();
        using var client = new SmtpClient(transcript)
        {
            LocalDomain = _heloName,
            Timeout = (int)Math.Min(int.MaxValue, _timeout.TotalMilliseconds),
        };
        var guard = MtaStsTlsGuard.Apply(client, resolution, host, _validator);

        // Keep a copy of the presented certificate for the report; the guard's own callback still decides.
        X509Certificate2? presented = null;
        var decide = client.ServerCertificateValidationCallback!;
        client.ServerCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            if (certificate is not null)
            {
                presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            }

            return decide(sender, certificate, chain, errors);
        };

        try
        {
            // The MX host name, not the address: SNI and the certificate check use it (RFC 8461 §7.1).
            await client.ConnectAsync(socket, host, _port, guard.SecureSocketOptions, cancellationToken).ConfigureAwait(false);
            socket = null!;
            var secure = client.IsSecure;
            var protocol = secure ? client.SslProtocol : (System.Security.Authentication.SslProtocols?)null;
            var cipher = secure ? client.SslCipherSuite?.ToString() : null;
            await QuitAsync(client).ConfigureAwait(false);

            var certificateFailure = guard.CertificateResult is { IsValid: false } bad ? bad : null;
            return new SmtpProbeResult
            {
                Address = address,
                Connected = true,
                Greeting = transcript.Greeting,
                Capabilities = transcript.Capabilities,
                Commands = transcript.Commands,
                StartTlsOffered = secure || HasStartTls(transcript),
                Secure = secure,
                TlsProtocol = protocol,
                CipherSuite = cipher,
                Certificate = presented,
                CertificateResult = guard.CertificateResult,
                ResultType = !secure ? TlsRptResultType.StartTlsNotSupported : certificateFailure?.ResultType,
                ReasonCode = !secure ? "starttls-not-supported" : certificateFailure?.ReasonCode,
            };
        }
        catch (NotSupportedException) when (guard.IsEnforced)
        {
            // MailKit: the server does not offer STARTTLS, which enforce requires (RFC 8461 §4 item 2).
            return Failed(address, transcript, presented, guard, TlsRptResultType.StartTlsNotSupported, "starttls-not-supported");
        }
        catch (SslHandshakeException ex)
        {
            return guard.CertificateResult is { IsValid: false } rejected
                ? Failed(address, transcript, presented, guard, rejected.ResultType!.Value, rejected.ReasonCode!)
                : Failed(address, transcript, presented, guard, TlsRptResultType.ValidationFailure, "tls-handshake-failed: " + (ex.InnerException?.GetType().Name ?? ex.GetType().Name));
        }
        catch (SmtpCommandException ex)
        {
            return new SmtpProbeResult
            {
                Address = address,
                Connected = true,
                Greeting = transcript.Greeting,
                Capabilities = transcript.Capabilities,
                Commands = transcript.Commands,
                Error = $"session-error: {(int)ex.StatusCode} {ex.Message}",
                ErrorIsDefinite = true,
            };
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new SmtpProbeResult
            {
                Address = address,
                Connected = true,
                Greeting = transcript.Greeting,
                Capabilities = transcript.Capabilities,
                Commands = transcript.Commands,
                Error = ex is OperationCanceledException or TimeoutException ? "session-timeout" : "session-error: " + ex.Message,
            };
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static SmtpProbeResult Failed(IPAddress address, TranscriptLogger transcript, X509Certificate2? presented, MtaStsTlsGuard guard, TlsRptResultType type, string reason) => new()
    {
        Address = address,
        Connected = true,
        Greeting = transcript.Greeting,
        Capabilities = transcript.Capabilities,
        Commands = transcript.Commands,
        StartTlsOffered = HasStartTls(transcript),
        Certificate = presented,
        CertificateResult = guard.CertificateResult,
        ResultType = type,
        ReasonCode = reason,
    };

    private static bool HasStartTls(TranscriptLogger transcript) =>
        transcript.Capabilities.Any(c => c.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase));

    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or SocketException)
        {
            // The probe has what it came for.
        }
    }

    private async Task<Socket> ConnectAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(_timeout, TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, _port), linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
