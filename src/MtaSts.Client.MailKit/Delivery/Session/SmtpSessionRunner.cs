using System.Net;
using System.Net.Sockets;
using global::MailKit;
using global::MailKit.Net.Smtp;
using global::MailKit.Security;
using Microsoft.Extensions.Logging;

namespace MtaSts.MailKit;

/// <summary>
/// Runs one SMTP session to one address and decides, for the failure model (<c>docs/failure-model.md</c>), what each
/// event means. Connection-phase replies (greeting, EHLO, STARTTLS) never make a failure permanent: they come before
/// policy-compliant TLS and prove nothing (issue-8 rule 4). Transaction replies (MAIL, RCPT, DATA) follow the usual SMTP
/// rules: they come after compliant TLS under <c>enforce</c> (the transport refuses to send them otherwise), or in a
/// session whose policy accepts whatever TLS there is. Nothing but the delivery's own cancellation escapes (rule 7).
/// </summary>
internal sealed partial class SmtpSessionRunner(MtaStsDeliveryOptions options, string heloName, TimeProvider timeProvider, ILogger logger, DeliveryTelemetry telemetry)
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs the session.</summary>
    /// <param name="request">What to do.</param>
    /// <param name="deliveryToken">The delivery's token (the caller's cancellation and the domain deadline): only it throws.</param>
    public async Task<SessionResult> RunAsync(SessionRequest request, CancellationToken deliveryToken)
    {
        using var activity = telemetry.ActivitySource.StartActivity("mtasts.smtp.session", System.Diagnostics.ActivityKind.Client);
        activity?.SetTag("server.address", request.MxHost);
        activity?.SetTag("server.port", options.Port);
        activity?.SetTag("network.peer.address", request.Address.ToString());
        activity?.SetTag("mtasts.session.plaintext_fallback", request.Plaintext);
        var result = await RunSessionAsync(request, deliveryToken).ConfigureAwait(false);
        activity?.SetTag(DeliveryTelemetry.AttemptOutcomeTag, result.Attempt.Outcome.ToString());
        if (result.Attempt.Outcome is not MxAttemptOutcome.Delivered)
        {
            activity?.SetTag("error.type", result.Attempt.ResultType?.ToResultTypeString() ?? result.Attempt.Detail?.Split(':', 2)[0]);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Attempt.Detail);
        }

        return result;
    }

    private async Task<SessionResult> RunSessionAsync(SessionRequest request, CancellationToken deliveryToken)
    {
        var host = request.MxHost;
        Socket socket;
        try
        {
            socket = await ConnectAsync(request.Address, deliveryToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return Unreachable(request, ReasonCodes.ConnectFailed + ": " + ex.SocketErrorCode);
        }
        catch (OperationCanceledException) when (!deliveryToken.IsCancellationRequested)
        {
            return Unreachable(request, ReasonCodes.ConnectTimeout);
        }

        // TLS-RPT sending-mta-ip: the address this connection left from.
        request.Outcome.SendingAddress = (socket.LocalEndPoint as IPEndPoint)?.Address;
        using var timers = new SessionTimers(options, timeProvider, deliveryToken);
        var monitor = new SessionMonitor(options.MaxReplyBytes);
        using var client = new GuardedSmtpClient(monitor)
        {
            LocalDomain = heloName,
            Timeout = (int)Math.Min(int.MaxValue, options.CommandTimeout.TotalMilliseconds),
        };
        request.Verdict.Configure(client);
        var tlsRequired = request.Verdict.Required && !request.Plaintext;
        await using var transport = new SessionTransport(new NetworkStream(socket, ownsSocket: true), tlsRequired, timers.Activity);
        var socketOptions = request.Plaintext ? SecureSocketOptions.None
            : request.Verdict.Required ? SecureSocketOptions.StartTls
            : SecureSocketOptions.StartTlsWhenAvailable;
        var connected = false;
        try
        {
            // The MX host name, not the address, so that SNI and the certificate check use it (RFC 8461 §7.1); a DANE host's
            // SNI is its TLSA base domain (RFC 7672 §8.1), set by the verdict.
            await client.ConnectAsync(transport, host, options.Port, socketOptions, timers.Token).ConfigureAwait(false);
            connected = true;
            request.Outcome.ServerName = monitor.ServerName;
            if (!request.Verdict.IsCompliant(client))
            {
                // Defence in depth: with StartTls and the refusing callback this cannot happen (RFC 8461 §5, enforce).
                await QuitQuietlyAsync(client).ConfigureAwait(false);
                return PolicyRefused(request, client.IsSecure ? null : ReasonCodes.StartTlsNotSupported);
            }

            request.Outcome.Connected(client, request.Verdict, request.Plaintext);
            var pending = request.Delivery.Pending;
            var reply = await client.SendAsync(request.Message, request.Sender, [.. pending.Select(r => r.Recipient)], timers.Token).ConfigureAwait(false);

            // Read before QUIT: MailKit resets the TLS details when it disconnects.
            var protocol = client.IsSecure ? client.SslProtocol : default(System.Security.Authentication.SslProtocols?);
            var cipher = client.IsSecure ? client.SslCipherSuite?.ToString() : null;
            var delivered = ApplyReplies(pending, client, host, reply);
            await QuitQuietlyAsync(client).ConfigureAwait(false);
            request.Outcome.Delivered = delivered;
            LogDelivered(logger, request.Delivery.Domain.Value, host, request.Delivery.AppliedPolicy?.Mode ?? MtaStsMode.None, protocol);
            return new SessionResult(
                new MxAttempt(host, request.Address, delivered ? MxAttemptOutcome.Delivered : MxAttemptOutcome.Rejected, request.Outcome.ResultType, "250") { TlsaStatus = request.TlsaStatus },
                ReachedSmtp: true,
                TlsProtocol: protocol,
                CipherSuite: cipher);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !deliveryToken.IsCancellationRequested)
        {
            request.Outcome.ServerName ??= monitor.ServerName;
            var timeout = timers.DeadlineExpired ? ReasonCodes.SessionTimeout
                : timers.InactivityExpired ? ReasonCodes.CommandTimeout
                : monitor.ReplyTooLong ? ReasonCodes.ReplyTooLong
                : null;
            var result = connected
                ? TransactionFailed(request, client, ex, timeout)
                : ConnectionFailed(request, ex, monitor, timeout);
            if (timeout is null && !result.RetryInPlaintext)
            {
                await QuitQuietlyAsync(client).ConfigureAwait(false);
            }

            return result;
        }
    }

    /// <summary>A failure before the transaction: never permanent, the next MX is tried (issue-8 rule 4).</summary>
    private SessionResult ConnectionFailed(SessionRequest request, Exception ex, SessionMonitor monitor, string? timeout)
    {
        var host = request.MxHost;
        var verdict = request.Verdict;
        if (timeout is not null)
        {
            return Deferred(request, timeout);
        }

        switch (ex)
        {
            case PlaintextRefusedException:
                // Cannot happen unless MailKit or this code changed: the transport stopped a plaintext command. Fail closed.
                LogPlaintextRefused(logger, request.Delivery.Domain.Value, host, ex);
                return PolicyRefused(request, ReasonCodes.StartTlsNotSupported);

            case NotSupportedException when verdict.Required:
                // MailKit: "The SMTP server does not support the STARTTLS extension." RFC 8461 §4 item 2.
                return PolicyRefused(request, ReasonCodes.StartTlsNotSupported);

            case SmtpCommandException command when monitor.LastCommand == "STARTTLS":
            {
                // A 4xx or 5xx to STARTTLS (issue-8 rule 9: starttls-not-supported under enforce).
                var reason = ReasonCodes.StartTlsRefusedPrefix + ((int)command.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (verdict.Required)
                {
                    return PolicyRefused(request, reason);
                }

                request.Outcome.Failed(TlsRptResultType.StartTlsNotSupported, reason);
                return new SessionResult(Attempt(request, MxAttemptOutcome.TlsFailed, TlsRptResultType.StartTlsNotSupported, reason), ReachedSmtp: true, RetryInPlaintext: !request.Plaintext);
            }

            case SmtpCommandException command when monitor.LastCommand is null:
                return Deferred(request, $"{ReasonCodes.GreetingRefused}: {(int)command.StatusCode} {command.Message}");

            case SslHandshakeException handshake:
            {
                if (verdict.Certificate is { IsValid: false } rejected && verdict.CertificateRequired)
                {
                    return PolicyRefused(request, rejected.ReasonCode!, rejected.ResultType!.Value, MxAttemptOutcome.CertificateRejected);
                }

                // Checklist F.9: a handshake failure (protocol version, cipher, alert) is validation-failure with a reason.
                var reason = ReasonCodes.TlsHandshakeFailedPrefix + ": " + (handshake.InnerException?.GetType().Name ?? handshake.GetType().Name);
                request.Outcome.Failed(TlsRptResultType.ValidationFailure, reason);
                if (verdict.Required)
                {
                    LogRefused(logger, request.Delivery.Domain.Value, host, reason);
                }

                return new SessionResult(Attempt(request, MxAttemptOutcome.TlsFailed, TlsRptResultType.ValidationFailure, reason), ReachedSmtp: true, RetryInPlaintext: !verdict.Required && !request.Plaintext);
            }

            default:
                return SessionError(request, ex);
        }
    }

    /// <summary>A failure during MAIL, RCPT or DATA: the usual SMTP rules decide per recipient.</summary>
    private SessionResult TransactionFailed(SessionRequest request, GuardedSmtpClient client, Exception ex, string? timeout)
    {
        var host = request.MxHost;
        var pending = request.Delivery.Pending;
        if (timeout is not null)
        {
            KeepRecipientRejections(pending, client, host);
            return Deferred(request, timeout);
        }

        switch (ex)
        {
            case ServiceNotAuthenticatedException:
                // 530 to MAIL or RCPT: the server wants authentication or TLS first; not a verdict on the message.
                KeepRecipientRejections(pending, client, host);
                return Deferred(request, $"{ReasonCodes.AuthenticationRequired}: 530 {ex.Message}");

            case SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } command:
            {
                var code = (int)command.StatusCode;
                foreach (var recipient in pending)
                {
                    if (code >= 500)
                    {
                        recipient.Reject(code, command.Message, host);
                    }
                    else
                    {
                        recipient.Defer(code, command.Message, host);
                    }
                }

                return new SessionResult(Attempt(request, code >= 500 ? MxAttemptOutcome.Rejected : MxAttemptOutcome.Deferred, null, $"{code} {command.Message}"), ReachedSmtp: true);
            }

            case SmtpCommandException { ErrorCode: SmtpErrorCode.MessageNotAccepted } command:
            {
                // Either no recipient was accepted (each has its own reply), or DATA was refused for those that were.
                var code = (int)command.StatusCode;
                foreach (var recipient in pending)
                {
                    if (client.RecipientReplies.TryGetValue(recipient.Recipient, out var reply) && !IsPositive(reply))
                    {
                        Decide(recipient, reply, host);
                    }
                    else if (code >= 500)
                    {
                        recipient.Reject(code, command.Message, host);
                    }
                    else
                    {
                        recipient.Defer(code, command.Message, host);
                    }
                }

                var rejected = pending.Any(r => r.Final == DeliveryStatus.PermanentFailure);
                return new SessionResult(Attempt(request, rejected ? MxAttemptOutcome.Rejected : MxAttemptOutcome.Deferred, null, $"{code} {command.Message}"), ReachedSmtp: true);
            }

            case SmtpCommandException command:
                // 421 and other unexpected replies mid-session: the session is over, nothing was decided.
                KeepRecipientRejections(pending, client, host);
                return Deferred(request, $"{(int)command.StatusCode} {command.Message}");

            default:
                KeepRecipientRejections(pending, client, host);
                return SessionError(request, ex);
        }
    }

    /// <summary>After a completed transaction: accepted recipients are delivered, the others decided by their RCPT reply.</summary>
    private static bool ApplyReplies(IReadOnlyList<RecipientState> pending, GuardedSmtpClient client, string host, string dataReply)
    {
        var delivered = false;
        foreach (var recipient in pending)
        {
            if (client.RecipientReplies.TryGetValue(recipient.Recipient, out var reply) && !IsPositive(reply))
            {
                Decide(recipient, reply, host);
            }
            else
            {
                recipient.Deliver(250, dataReply, host);
                delivered = true;
            }
        }

        return delivered;
    }

    /// <summary>When a session breaks after RCPT, recipients already refused with 5xx stay refused; the rest stay pending.</summary>
    private static void KeepRecipientRejections(IReadOnlyList<RecipientState> pending, GuardedSmtpClient client, string host)
    {
        foreach (var recipient in pending)
        {
            if (client.RecipientReplies.TryGetValue(recipient.Recipient, out var reply) && !IsPositive(reply))
            {
                Decide(recipient, reply, host);
            }
        }
    }

    private static void Decide(RecipientState recipient, SmtpResponse reply, string host)
    {
        var code = (int)reply.StatusCode;
        if (code >= 500)
        {
            recipient.Reject(code, reply.Response, host);
        }
        else
        {
            recipient.Defer(code, reply.Response, host);
        }
    }

    private static bool IsPositive(SmtpResponse reply) => (int)reply.StatusCode is >= 200 and < 300;

    /// <summary>The policy refused the host (enforce): a temporary failure, the next MX is tried, the re-check may follow.</summary>
    private SessionResult PolicyRefused(SessionRequest request, string? reason, TlsRptResultType resultType = TlsRptResultType.StartTlsNotSupported, MxAttemptOutcome outcome = MxAttemptOutcome.StartTlsNotSupported)
    {
        if (reason is null)
        {
            // Secure, but the certificate was never judged valid.
            resultType = request.Verdict.Certificate?.ResultType ?? TlsRptResultType.ValidationFailure;
            reason = request.Verdict.Certificate?.ReasonCode ?? "certificate-not-validated";
            outcome = MxAttemptOutcome.CertificateRejected;
        }

        request.Outcome.Failed(resultType, reason);
        LogRefused(logger, request.Delivery.Domain.Value, request.MxHost, reason);
        return new SessionResult(Attempt(request, outcome, resultType, reason), ReachedSmtp: true);
    }

    private SessionResult SessionError(SessionRequest request, Exception ex)
    {
        var expected = ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or SmtpCommandException or NotSupportedException;
        if (!expected)
        {
            LogUnexpectedSessionError(logger, request.Delivery.Domain.Value, request.MxHost, ex);
        }

        return Deferred(request, $"{ReasonCodes.SessionError}: {ex.GetType().Name}: {ex.Message}");
    }

    private static SessionResult Deferred(SessionRequest request, string detail)
    {
        foreach (var recipient in request.Delivery.Pending)
        {
            recipient.Defer(null, detail, request.MxHost);
        }

        return new SessionResult(Attempt(request, MxAttemptOutcome.Deferred, null, detail), ReachedSmtp: true);
    }

    private static SessionResult Unreachable(SessionRequest request, string detail) =>
        new(Attempt(request, MxAttemptOutcome.Unreachable, null, detail), ReachedSmtp: false);

    private static MxAttempt Attempt(SessionRequest request, MxAttemptOutcome outcome, TlsRptResultType? resultType, string? detail) =>
        new(request.MxHost, request.Address, outcome, resultType, detail) { TlsaStatus = request.TlsaStatus };

    private async Task<Socket> ConnectAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, options.Port), linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task QuitQuietlyAsync(SmtpClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            // A courtesy: never worth more than a few seconds of a server that has already failed us.
            using var quit = new CancellationTokenSource(options.CommandTimeout < QuitTimeout ? options.CommandTimeout : QuitTimeout, timeProvider);
            await client.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outcome is decided; a broken QUIT changes nothing.
        }
    }
}
