using System.Net;
using System.Security.Authentication;
using global::MailKit.Net.Smtp;

namespace MtaSts.MailKit;

/// <summary>Collects what one MX session learned, for <see cref="SmtpSessionOutcome"/>.</summary>
internal sealed class SessionOutcomeBuilder(PolicyResolution resolution, string host, IPAddress address, bool isReportDelivery)
{
    private SslProtocols? _protocol;
    private string? _cipherSuite;
    private bool _secure;

    public TlsRptResultType? ResultType { get; private set; }

    public string? ReasonCode { get; private set; }

    public bool Delivered { get; set; }

    /// <summary>Gets or sets the local address of the connection (TLS-RPT <c>sending-mta-ip</c>).</summary>
    public IPAddress? SendingAddress { get; set; }

    public void Connected(SmtpClient client, MtaStsTlsGuard guard, bool plaintextFallback)
    {
        _secure = client.IsSecure;
        if (client.IsSecure)
        {
            _protocol = client.SslProtocol;
            _cipherSuite = client.SslCipherSuite?.ToString();
            if (guard.CertificateResult is { IsValid: false } certificate)
            {
                // Testing mode accepted a bad certificate: the session is a failure to report (RFC 8461 §5).
                Failed(certificate.ResultType!.Value, certificate.ReasonCode!);
            }
        }
        else if (!plaintextFallback)
        {
            Failed(TlsRptResultType.StartTlsNotSupported, "starttls-not-supported");
        }
    }

    public void Failed(TlsRptResultType type, string reason)
    {
        // Decision 29: under "none" or no policy nothing is an MTA-STS failure; a session only succeeds or not.
        if (resolution.Policy is not { Mode: not MtaStsMode.None })
        {
            return;
        }

        // The first failure seen is the one reported (a handshake failure stays reported after the plaintext fallback).
        if (ResultType is null)
        {
            ResultType = type;
            ReasonCode = reason;
        }
    }

    public SmtpSessionOutcome Build(DateTimeOffset now) => new(resolution.PolicyDomain, resolution, host)
    {
        ReceivingAddress = address,
        SendingAddress = SendingAddress,
        Succeeded = _secure && ResultType is null,
        ResultType = ResultType,
        FailureReasonCode = ReasonCode,
        TlsProtocol = _protocol,
        CipherSuite = _cipherSuite,
        Delivered = Delivered,
        IsReportDelivery = isReportDelivery,
        Timestamp = now,
    };
}
