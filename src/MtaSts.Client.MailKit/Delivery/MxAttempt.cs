using System.Net;

namespace MtaSts.MailKit;

/// <summary>One try at one MX host.</summary>
/// <param name="MxHost">The MX host name.</param>
/// <param name="Address">The address connected to, when a connection was made.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="ResultType">The TLS-RPT result type when the host failed the policy; otherwise <see langword="null"/>.</param>
/// <param name="Detail">A reason code or the server's reply.</param>
public sealed record MxAttempt(string MxHost, IPAddress? Address, MxAttemptOutcome Outcome, TlsRptResultType? ResultType, string? Detail)
{
    /// <summary>
    /// Gets the host's DANE status (RFC 7672 §2.2): <see cref="TlsaLookupStatus.Usable"/> when DANE decided the host;
    /// <see langword="null"/> when DANE was not looked at (turned off, a report delivery, a host skipped before any lookup).
    /// </summary>
    public TlsaLookupStatus? TlsaStatus { get; init; }
}
