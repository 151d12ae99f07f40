using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Smtp;

/// <summary>What one STARTTLS probe of one MX address found, and the TLS-RPT failure enforcement would record for it.</summary>
internal sealed class SmtpProbeResult
{
    public required IPAddress Address { get; init; }

    /// <summary>Gets a value indicating whether a TCP connection was made.</summary>
    public bool Connected { get; init; }

    /// <summary>Gets why the connection or the session could not be completed (connect-refused, connect-timeout, session-error: …).</summary>
    public string? Error { get; init; }

    /// <summary>Gets a value indicating whether the failure in <see cref="Error"/> is a definite answer (an SMTP refusal) rather than no answer.</summary>
    public bool ErrorIsDefinite { get; init; }

    public string? Greeting { get; init; }

    public IReadOnlyList<string> Capabilities { get; init; } = [];

    public IReadOnlyList<string> Commands { get; init; } = [];

    public bool StartTlsOffered { get; init; }

    public bool Secure { get; init; }

    public SslProtocols? TlsProtocol { get; init; }

    public string? CipherSuite { get; init; }

    public X509Certificate2? Certificate { get; init; }

    public CertificateValidationResult? CertificateResult { get; init; }

    /// <summary>Gets the failure an enforcing sender records for this session (whatever the policy mode), or <see langword="null"/>.</summary>
    public TlsRptResultType? ResultType { get; init; }

    public string? ReasonCode { get; init; }

    /// <summary>Gets a value indicating whether the session reached policy-compliant TLS.</summary>
    public bool Passed => Connected && Error is null && ResultType is null && Secure;
}
