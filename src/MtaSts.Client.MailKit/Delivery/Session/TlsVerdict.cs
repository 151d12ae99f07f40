using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using global::MailKit.Net.Smtp;

namespace MtaSts.MailKit;

/// <summary>
/// The one channel through which a session learns how its TLS went: the certificate verdict the validation callback
/// reached, and whether the policy requires it. Under <c>enforce</c> a failing certificate is refused inside the
/// handshake (RFC 8461 §4.2), so no byte of the message can follow; otherwise it is accepted and only recorded.
/// </summary>
internal sealed class TlsVerdict(MxCertificateValidator validator, string mxHost, bool required)
{
    private CertificateValidationResult? _certificate;

    /// <summary>Gets a value indicating whether policy-compliant TLS is required (<c>enforce</c>).</summary>
    public bool Required { get; } = required;

    /// <summary>Gets the MX host name the certificate must name.</summary>
    public string MxHost { get; } = mxHost;

    /// <summary>Gets the verdict on the server certificate once the handshake reached it; <see langword="null"/> before.</summary>
    public CertificateValidationResult? Certificate => Volatile.Read(ref _certificate);

    /// <summary>Configures <paramref name="client"/>: TLS 1.2 or later when required (RFC 8461 §7.2), and this verdict's callback.</summary>
    public void Configure(SmtpClient client)
    {
        client.SslProtocols = Required ? SslProtocols.Tls12 | SslProtocols.Tls13 : SslProtocols.None;

        // Revocation is checked by the validator (soft-fail on unknown status), not by SslStream's hard-fail check.
        client.CheckCertificateRevocation = false;
        client.ServerCertificateValidationCallback = Validate;
    }

    /// <summary>Gets a value indicating whether <paramref name="client"/> holds a session that meets the requirement.</summary>
    public bool IsCompliant(SmtpClient client) => !Required || (client.IsSecure && Certificate is { IsValid: true });

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform verdict is ignored: its name check may fall back to the CN (checklist F.4).
        var result = validator.Validate(certificate, chain, MxHost);
        Volatile.Write(ref _certificate, result);

        // RFC 8461 §5: under testing (and without a policy) the session proceeds; the failure is only reported.
        return result.IsValid || !Required;
    }
}
