using System.Net;
using System.Security.Authentication;
using global::MailKit.Net.Smtp;

namespace MtaSts.MailKit;

/// <summary>
/// Collects what one MX session learned, for <see cref="SmtpSessionOutcome"/> (TLS-RPT, RFC 8460 §4). A plaintext retry
/// after a failed opportunistic TLS attempt shares the builder, so that the failure is reported once (issue-8 rule 5).
/// </summary>
internal sealed class SessionOutcomeBuilder(PolicyResolution resolution, string host, IPAddress? address, bool isReportDelivery, bool reportsFailures)
{
    private SslProtocols? _protocol;
    private string? _cipherSuite;
    private bool _secure;
    private bool _negotiated;

    public TlsRptResultType? ResultType { get; private set; }

    public string? ReasonCode { get; private set; }

    public bool Delivered { get; set; }

    public string? ServerName { get; set; }

    public IPAddress? Address { get; set; } = address;

    /// <summary>Gets or sets the local address of the connection (TLS-RPT <c>sending-mta-ip</c>).</summary>
    public IPAddress? SendingAddress { get; set; }

    /// <summary>Gets or sets the host's secure TLSA records when DANE governs the session (it then counts under a <c>tlsa</c> policy).</summary>
    public TlsaLookupResult? Tlsa { get; set; }

    /// <summary>Gets a value indicating whether the session has something to report: TLS was negotiated or refused, or the policy failed.</summary>
    public bool HasOutcome => _negotiated || ResultType is not null;

    public void Connected(SmtpClient client, TlsVerdict verdict, bool plaintextFallback)
    {
        _negotiated = true;
        _secure = client.IsSecure;
        if (client.IsSecure)
        {
            _protocol = client.SslProtocol;
            _cipherSuite = client.SslCipherSuite?.ToString();
            if (verdict.Certificate is { IsValid: false } certificate)
            {
                // Testing mode accepted a bad certificate: the session is a failure to report (RFC 8461 §5).
                Failed(certificate.ResultType!.Value, certificate.ReasonCode!);
            }
        }
        else if (!plaintextFallback)
        {
            Failed(TlsRptResultType.StartTlsNotSupported, ReasonCodes.StartTlsNotSupported);
        }
    }

    /// <summary>Records that TLS was tried and failed (STARTTLS refused, a failed handshake, a refused certificate).</summary>
    public void Failed(TlsRptResultType type, string reason)
    {
        _negotiated = true;

        // Decision 29: under "none" or no policy nothing is an MTA-STS failure; a session only succeeds or not.
        if (!reportsFailures)
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
        ReceivingAddress = Address,
        ReceivingHelo = ServerName,
        SendingAddress = SendingAddress,
        Succeeded = _secure && ResultType is null,
        ResultType = ResultType,
        FailureReasonCode = ReasonCode,
        TlsProtocol = _protocol,
        CipherSuite = _cipherSuite,
        Delivered = Delivered,
        IsReportDelivery = isReportDelivery,
        Tlsa = Tlsa,
        Timestamp = now,
    };
}
