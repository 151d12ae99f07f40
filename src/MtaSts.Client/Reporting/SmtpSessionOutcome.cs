using System.Net;
using System.Security.Authentication;

namespace MtaSts;

/// <summary>
/// What happened in one SMTP session to an MX host, as TLS-RPT (RFC 8460 §4) needs it: the policy in force, the host,
/// whether a policy-compliant TLS session was established, and if not, the result type and reason. Immutable.
/// </summary>
public sealed class SmtpSessionOutcome
{
    /// <summary>Initializes a new instance of the <see cref="SmtpSessionOutcome"/> class.</summary>
    /// <param name="policyDomain">The policy domain (A-labels).</param>
    /// <param name="resolution">The policy resolution in force for the session.</param>
    /// <param name="mxHost">The MX host name.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public SmtpSessionOutcome(string policyDomain, PolicyResolution resolution, string mxHost)
    {
        PolicyDomain = policyDomain ?? throw new ArgumentNullException(nameof(policyDomain));
        Resolution = resolution ?? throw new ArgumentNullException(nameof(resolution));
        MxHost = mxHost ?? throw new ArgumentNullException(nameof(mxHost));
    }

    /// <summary>Gets the policy domain (A-labels).</summary>
    public string PolicyDomain { get; }

    /// <summary>Gets the policy resolution in force for the session; no policy means a <c>no-policy-found</c> report entry.</summary>
    public PolicyResolution Resolution { get; }

    /// <summary>Gets the MX host name.</summary>
    public string MxHost { get; }

    /// <summary>Gets or initializes the address connected to, if a connection was made.</summary>
    public IPAddress? ReceivingAddress { get; init; }

    /// <summary>
    /// Gets or initializes the local address the session was made from: the TLS-RPT <c>sending-mta-ip</c> (RFC 8460 §4.4).
    /// <see langword="null"/> when not known; reports then omit the field.
    /// </summary>
    public IPAddress? SendingAddress { get; init; }

    /// <summary>Gets or initializes the name the server gave in its greeting, when known.</summary>
    public string? ReceivingHelo { get; init; }

    /// <summary>Gets or initializes a value indicating whether TLS meeting the policy in force was negotiated (a TLS-RPT success).</summary>
    public bool Succeeded { get; init; }

    /// <summary>Gets or initializes the TLS-RPT result type of the failure, or <see langword="null"/> on success.</summary>
    public TlsRptResultType? ResultType { get; init; }

    /// <summary>Gets or initializes the <c>failure-reason-code</c>.</summary>
    public string? FailureReasonCode { get; init; }

    /// <summary>Gets or initializes the TLS protocol negotiated, when TLS was established.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>Gets or initializes the cipher suite negotiated, when TLS was established.</summary>
    public string? CipherSuite { get; init; }

    /// <summary>Gets or initializes a value indicating whether the message was delivered in this session.</summary>
    public bool Delivered { get; init; }

    /// <summary>
    /// Gets or initializes a value indicating whether the session delivered a TLS report: such sessions are neither
    /// subject to MTA-STS nor counted in reports (RFC 8460 §3, checklist Decision 32).
    /// </summary>
    public bool IsReportDelivery { get; init; }

    /// <summary>
    /// Gets or initializes the DANE TLSA records that governed the session (DNSSEC-secure, usable or not), or
    /// <see langword="null"/> when DANE had nothing to say about the host. When set, the session counts under a TLS-RPT
    /// <c>tlsa</c> policy for the records' TLSA base domain (RFC 8460 §4.4, §4.5), never under the <c>sts</c> one.
    /// </summary>
    public TlsaLookupResult? Tlsa { get; init; }

    /// <summary>Gets or initializes when the session ended.</summary>
    public DateTimeOffset Timestamp { get; init; }
}
