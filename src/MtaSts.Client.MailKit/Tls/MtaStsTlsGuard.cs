using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using global::MailKit.Net.Smtp;
using global::MailKit.Security;

namespace MtaSts.MailKit;

/// <summary>
/// Applies an MTA-STS policy to one <see cref="SmtpClient"/> connection to one MX host (RFC 8461 §4, §5): under
/// <c>enforce</c> STARTTLS is required (<see cref="SecureSocketOptions.StartTls"/>), TLS 1.2 or later, and a certificate
/// that fails <see cref="MxCertificateValidator"/> is refused; under <c>testing</c>, <c>none</c> or no policy, STARTTLS is
/// used when offered and any certificate is accepted; the verdict is kept in <see cref="CertificateResult"/> (reported
/// to TLS-RPT under <c>testing</c> only: Decision 29).
/// </summary>
/// <remarks>
/// Connect with the MX host <em>name</em> (<c>ConnectAsync(host, …)</c>, or <c>ConnectAsync(socket, host, …)</c> when you
/// chose the address) so that SNI and the name check use it (RFC 8461 §7.1). The MX host must already have been
/// matched against the policy (<see cref="MtaStsPolicy.MatchesMx"/>).
/// <para>
/// The guard applies MTA-STS only. DANE (RFC 7672) takes precedence per MX host (RFC 8461 §2): a host with secure usable
/// TLSA records must be authenticated by DANE whatever the policy says, and a TLSA lookup that cannot be answered must not
/// be taken for "no DANE". <see cref="MtaStsDeliveryAgent"/> does both; a caller that drives its own
/// <see cref="SmtpClient"/> looks the records up itself (<see cref="MtaStsInspector.LookupTlsaAsync"/>) and, where they are
/// usable, validates the certificate with <see cref="DaneCertificateValidator"/> instead of using this guard.
/// </para>
/// </remarks>
public sealed class MtaStsTlsGuard
{
    private readonly TlsVerdict _verdict;

    private MtaStsTlsGuard(PolicyResolution resolution, TlsVerdict verdict)
    {
        Resolution = resolution;
        _verdict = verdict;
    }

    /// <summary>Gets the policy resolution applied.</summary>
    public PolicyResolution Resolution { get; }

    /// <summary>Gets the MX host name the connection is for.</summary>
    public string MxHost => _verdict.MxHost;

    /// <summary>Gets a value indicating whether the policy is enforced on this connection (<c>mode: enforce</c>).</summary>
    public bool IsEnforced => _verdict.Required;

    /// <summary>Gets the options to pass to <c>SmtpClient.Connect</c>: <see cref="SecureSocketOptions.StartTls"/> under enforce, <see cref="SecureSocketOptions.StartTlsWhenAvailable"/> otherwise.</summary>
    public SecureSocketOptions SecureSocketOptions => IsEnforced ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>Gets the verdict on the server certificate, once the TLS handshake has reached it; <see langword="null"/> before.</summary>
    public CertificateValidationResult? CertificateResult => _verdict.Certificate;

    /// <summary>Configures <paramref name="client"/> for a connection to <paramref name="mxHost"/> under <paramref name="resolution"/>.</summary>
    /// <param name="client">The client, not yet connected. Its certificate callback, TLS versions and revocation setting are replaced.</param>
    /// <param name="resolution">The policy resolution of the recipient domain.</param>
    /// <param name="mxHost">The MX host name as found in the MX record.</param>
    /// <param name="validator">The certificate validator.</param>
    /// <returns>The guard, which says how to connect and records the certificate verdict.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="client"/> is already connected.</exception>
    public static MtaStsTlsGuard Apply(SmtpClient client, PolicyResolution resolution, string mxHost, MxCertificateValidator validator)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resolution);
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(validator);
        if (client.IsConnected)
        {
            throw new InvalidOperationException("The MTA-STS policy must be applied before the SmtpClient connects.");
        }

        // RFC 8461 §7.2: TLS 1.2 or later under enforce; opportunistic sessions keep the platform's defaults.
        var verdict = new TlsVerdict(validator, mxHost, resolution.IsEnforced);
        verdict.Configure(client);
        return new MtaStsTlsGuard(resolution, verdict);
    }

    /// <summary>
    /// Throws when the connected <paramref name="client"/> does not meet an enforced policy: not secure, or the certificate
    /// was not validated. A defence in depth: with <see cref="SecureSocketOptions"/> and the callback this cannot happen.
    /// </summary>
    /// <param name="client">The connected client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="MtaStsDeliveryException">The policy is enforced and the connection is not policy-compliant TLS.</exception>
    public void ThrowIfNotCompliant(SmtpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!IsEnforced)
        {
            return;
        }

        if (!client.IsSecure)
        {
            throw new MtaStsDeliveryException(Resolution.PolicyDomain, MxHost, TlsRptResultType.StartTlsNotSupported, ReasonCodes.StartTlsNotSupported);
        }

        if (!_verdict.IsCompliant(client))
        {
            var result = CertificateResult;
            throw new MtaStsDeliveryException(Resolution.PolicyDomain, MxHost, result?.ResultType ?? TlsRptResultType.ValidationFailure, result?.ReasonCode ?? "certificate-not-validated");
        }
    }
}
