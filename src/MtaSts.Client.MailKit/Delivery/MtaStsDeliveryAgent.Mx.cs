using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using global::MailKit;
using global::MailKit.Net.Smtp;
using global::MailKit.Security;
using MimeKit;

namespace MtaSts.MailKit;

public sealed partial class MtaStsDeliveryAgent
{
    private async Task<DomainDeliveryResult> DeliverViaMxAsync(
        MimeMessage message, MailboxAddress sender, PolicyResolution resolution, IReadOnlyList<MailboxAddress> recipients, bool isReportDelivery, CancellationToken cancellationToken)
    {
        var domain = resolution.PolicyDomain;
        var mx = await _dns.LookupMxAsync(domain, cancellationToken).ConfigureAwait(false);
        if (mx.IsNullMx)
        {
            // RFC 7505: the domain accepts no mail (Decision 18).
            return new DomainDeliveryResult(domain, recipients, DeliveryStatus.PermanentFailure, resolution, [], "null-mx");
        }

        if (mx.DomainDoesNotExist)
        {
            // RFC 5321 §5.1: a domain that does not exist cannot take mail; retrying will not help.
            return new DomainDeliveryResult(domain, recipients, DeliveryStatus.PermanentFailure, resolution, [], "domain-does-not-exist");
        }

        if (mx.Status == DnsLookupStatus.TemporaryFailure)
        {
            return new DomainDeliveryResult(domain, recipients, DeliveryStatus.TemporaryFailure, resolution, [], "mx-lookup-failed: " + mx.Error);
        }

        var policy = resolution.Policy;
        var applies = policy is not null && policy.Mode != MtaStsMode.None;
        var attempts = new List<MxAttempt>();
        string? lastDetail = null;
        var permanent = false;
        foreach (var host in mx.Hosts)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // RFC 8461 §4.1 and Decision 30: an MX that matches no pattern fails validation.
            var notInPolicy = applies && !policy!.MatchesMx(host);
            if (notInPolicy && resolution.IsEnforced)
            {
                Publish(new SmtpSessionOutcome(domain, resolution, host)
                {
                    ResultType = TlsRptResultType.ValidationFailure,
                    FailureReasonCode = "mx-not-in-policy",
                    IsReportDelivery = isReportDelivery,
                    Timestamp = _timeProvider.GetUtcNow(),
                });
                LogMxSkipped(_logger, domain, host);
                attempts.Add(new MxAttempt(host, null, MxAttemptOutcome.NotInPolicy, TlsRptResultType.ValidationFailure, "mx-not-in-policy"));
                continue;
            }

            // Under testing the session goes ahead and carries the failure, so that it is reported once.
            var (attempt, delivered) = await TryMxAsync(message, sender, resolution, host, recipients, isReportDelivery, notInPolicy, cancellationToken).ConfigureAwait(false);
            if (notInPolicy && attempt.Outcome == MxAttemptOutcome.Unreachable)
            {
                Publish(new SmtpSessionOutcome(domain, resolution, host)
                {
                    ResultType = TlsRptResultType.ValidationFailure,
                    FailureReasonCode = "mx-not-in-policy",
                    IsReportDelivery = isReportDelivery,
                    Timestamp = _timeProvider.GetUtcNow(),
                });
            }

            attempts.Add(attempt);
            lastDetail = attempt.Detail;
            if (delivered is not null)
            {
                return new DomainDeliveryResult(domain, recipients, DeliveryStatus.Delivered, resolution, attempts, attempt.Detail)
                {
                    MxHost = host,
                    TlsProtocol = delivered.Value.Protocol,
                    CipherSuite = delivered.Value.CipherSuite,
                };
            }

            if (attempt.Outcome == MxAttemptOutcome.Rejected)
            {
                // A 5xx reply is the domain's answer; other MX hosts would give the same (RFC 5321 §4.2.1).
                permanent = true;
                break;
            }
        }

        var status = permanent ? DeliveryStatus.PermanentFailure : DeliveryStatus.TemporaryFailure;
        LogDeliveryFailed(_logger, domain, status, resolution.Mode, attempts.Count);
        return new DomainDeliveryResult(domain, recipients, status, resolution, attempts, lastDetail ?? (attempts.Count == 0 ? "no-mx" : null));
    }

    private async Task<(MxAttempt Attempt, (SslProtocols? Protocol, string? CipherSuite)? Delivered)> TryMxAsync(
        MimeMessage message, MailboxAddress sender, PolicyResolution resolution, string host, IReadOnlyList<MailboxAddress> recipients, bool isReportDelivery, bool notInPolicy, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await _dns.LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsLookupException ex)
        {
            return (new MxAttempt(host, null, MxAttemptOutcome.Unreachable, null, "address-lookup-failed: " + ex.Message), null);
        }

        if (addresses.Count == 0)
        {
            return (new MxAttempt(host, null, MxAttemptOutcome.Unreachable, null, "no-address"), null);
        }

        MxAttempt? last = null;
        foreach (var address in addresses)
        {
            var (attempt, delivered) = await TryAddressAsync(message, sender, resolution, host, address, recipients, isReportDelivery, notInPolicy, cancellationToken).ConfigureAwait(false);
            if (delivered is not null || attempt.Outcome != MxAttemptOutcome.Unreachable)
            {
                // Only plain network trouble moves on to the host's next address; a session that reached SMTP has answered.
                return (attempt, delivered);
            }

            last = attempt;
        }

        return (last!, null);
    }

    private async Task<(MxAttempt Attempt, (SslProtocols? Protocol, string? CipherSuite)? Delivered)> TryAddressAsync(
        MimeMessage message, MailboxAddress sender, PolicyResolution resolution, string host, IPAddress address, IReadOnlyList<MailboxAddress> recipients, bool isReportDelivery, bool notInPolicy, CancellationToken cancellationToken)
    {
        var outcome = new SessionOutcomeBuilder(resolution, host, address, isReportDelivery);
        if (notInPolicy)
        {
            outcome.Failed(TlsRptResultType.ValidationFailure, "mx-not-in-policy");
        }

        var first = await SessionAsync(message, sender, resolution, host, address, recipients, plaintextFallback: false, outcome, cancellationToken).ConfigureAwait(false);
        if (first.Attempt.Outcome == MxAttemptOutcome.TlsFailed && !resolution.IsEnforced)
        {
            // Opportunistic TLS (testing, none, no policy): a failed handshake falls back to plaintext (checklist K.77).
            first = await SessionAsync(message, sender, resolution, host, address, recipients, plaintextFallback: true, outcome, cancellationToken).ConfigureAwait(false);
        }

        if (first.Attempt.Outcome != MxAttemptOutcome.Unreachable)
        {
            Publish(outcome.Build(_timeProvider.GetUtcNow()));
        }

        return first;
    }

    private async Task<(MxAttempt Attempt, (SslProtocols? Protocol, string? CipherSuite)? Delivered)> SessionAsync(
        MimeMessage message,
        MailboxAddress sender,
        PolicyResolution resolution,
        string host,
        IPAddress address,
        IReadOnlyList<MailboxAddress> recipients,
        bool plaintextFallback,
        SessionOutcomeBuilder outcome,
        CancellationToken cancellationToken)
    {
        using var client = new SmtpClient
        {
            LocalDomain = _options.HeloName ?? Dns.GetHostName(),
            Timeout = (int)Math.Min(int.MaxValue, _options.CommandTimeout.TotalMilliseconds),
        };
        var guard = MtaStsTlsGuard.Apply(client, resolution, host, _validator);
        var socketOptions = plaintextFallback ? SecureSocketOptions.None : guard.SecureSocketOptions;

        Socket? socket = null;
        try
        {
            socket = await ConnectSocketAsync(address, cancellationToken).ConfigureAwait(false);
            outcome.SendingAddress ??= (socket.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException ex)
        {
            return (new MxAttempt(host, address, MxAttemptOutcome.Unreachable, null, "connect-failed: " + ex.SocketErrorCode), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (new MxAttempt(host, address, MxAttemptOutcome.Unreachable, null, "connect-timeout"), null);
        }

        try
        {
            // The MX host name, not the address, so that SNI and the certificate check use it (RFC 8461 §7.1).
            await client.ConnectAsync(socket, host, _options.Port, socketOptions, cancellationToken).ConfigureAwait(false);
            socket = null;
            guard.ThrowIfNotCompliant(client);
            outcome.Connected(client, guard, plaintextFallback);

            await client.SendAsync(message, sender, recipients, cancellationToken).ConfigureAwait(false);
            outcome.Delivered = true;

            // Read before QUIT: MailKit resets the TLS details when it disconnects.
            (SslProtocols? Protocol, string? CipherSuite) tls = client.IsSecure ? (client.SslProtocol, client.SslCipherSuite?.ToString()) : (null, null);
            await DisconnectQuietlyAsync(client).ConfigureAwait(false);
            LogDelivered(_logger, resolution.PolicyDomain, host, resolution.Mode, tls.Protocol);
            return (new MxAttempt(host, address, MxAttemptOutcome.Delivered, outcome.ResultType, "250"), tls);
        }
        catch (NotSupportedException) when (guard.IsEnforced)
        {
            // MailKit: "The SMTP server does not support the STARTTLS extension." RFC 8461 §4 item 2.
            outcome.Failed(TlsRptResultType.StartTlsNotSupported, "starttls-not-supported");
            LogRefused(_logger, resolution.PolicyDomain, host, "starttls-not-supported");
            return (new MxAttempt(host, address, MxAttemptOutcome.StartTlsNotSupported, TlsRptResultType.StartTlsNotSupported, "starttls-not-supported"), null);
        }
        catch (SslHandshakeException ex)
        {
            if (guard.CertificateResult is { IsValid: false } rejected && guard.IsEnforced)
            {
                outcome.Failed(rejected.ResultType!.Value, rejected.ReasonCode!);
                LogRefused(_logger, resolution.PolicyDomain, host, rejected.ReasonCode!);
                return (new MxAttempt(host, address, MxAttemptOutcome.CertificateRejected, rejected.ResultType, rejected.ReasonCode), null);
            }

            // Checklist F.9: a handshake failure (protocol version, cipher, alert) is validation-failure with a reason.
            var reason = "tls-handshake-failed: " + (ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            outcome.Failed(TlsRptResultType.ValidationFailure, reason);
            return (new MxAttempt(host, address, MxAttemptOutcome.TlsFailed, TlsRptResultType.ValidationFailure, reason), null);
        }
        catch (MtaStsDeliveryException ex)
        {
            outcome.Failed(ex.ResultType!.Value, ex.ReasonCode!);
            return (new MxAttempt(host, address, MxAttemptOutcome.StartTlsNotSupported, ex.ResultType, ex.ReasonCode), null);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            // An SMTP-level failure after TLS was established is not a TLS failure: nothing to add to the outcome.
            return (new MxAttempt(host, address, code >= 500 ? MxAttemptOutcome.Rejected : MxAttemptOutcome.Deferred, null, $"{code} {ex.Message}"), null);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException)
        {
            // An SMTP-level failure after TLS was established is not a TLS failure: nothing to add to the outcome.
            return (new MxAttempt(host, address, MxAttemptOutcome.Deferred, null, "session-error: " + ex.Message), null);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private async Task<Socket> ConnectSocketAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, _options.Port), linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task DisconnectQuietlyAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or SocketException)
        {
            // The message was accepted; a broken QUIT changes nothing.
        }
    }

    private void Publish(SmtpSessionOutcome outcome)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Record(outcome);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSinkFailed(_logger, sink.GetType().Name, ex);
            }
        }
    }
}
