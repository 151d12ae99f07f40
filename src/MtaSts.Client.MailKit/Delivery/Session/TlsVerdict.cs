using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using global::MailKit.Net.Smtp;

namespace MtaSts.MailKit;

/// <summary>
/// The one channel through which a session learns how its TLS went: the certificate verdict the validation callback
/// reached, and what the policies in force require. A certificate that must pass and fails is refused inside the
/// handshake (RFC 8461 §4.2, RFC 7672 §3), so no byte of the message can follow; otherwise it is accepted and only recorded.
/// </summary>
/// <remarks>
/// Three requirements meet here. MTA-STS <c>enforce</c>: TLS and the PKIX check for the MX name. DANE with usable TLSA
/// records: TLS and DANE authentication, whatever the MTA-STS mode (RFC 8461 §2), plus the PKIX check when
/// <c>enforce</c> also applies and <see cref="DaneStrictness.RequireBoth"/> is set. DANE whose records are all
/// unusable: TLS, without authentication (RFC 7672 §3.1.3).
/// </remarks>
internal sealed class TlsVerdict
{
    private readonly MxCertificateValidator _validator;
    private readonly DaneCertificateValidator? _dane;
    private readonly bool _pkixRequired;
    private CertificateValidationResult? _certificate;

    /// <summary>An MTA-STS-only verdict: <paramref name="required"/> is <c>enforce</c>.</summary>
    public TlsVerdict(MxCertificateValidator validator, string mxHost, bool required)
        : this(validator, null, mxHost, required, null)
    {
    }

    /// <summary>A verdict for a host DANE may govern.</summary>
    /// <param name="validator">The PKIX validator (RFC 8461 §4.2).</param>
    /// <param name="dane">The DANE validator; needed when <paramref name="tlsa"/> has usable records.</param>
    /// <param name="mxHost">The MX host name.</param>
    /// <param name="pkixRequired">Whether the PKIX check must pass (<c>enforce</c>, and for a DANE host <see cref="DaneStrictness.RequireBoth"/>).</param>
    /// <param name="tlsa">The host's TLSA lookup, or <see langword="null"/>.</param>
    public TlsVerdict(MxCertificateValidator validator, DaneCertificateValidator? dane, string mxHost, bool pkixRequired, TlsaLookupResult? tlsa)
    {
        _validator = validator;
        _dane = dane;
        _pkixRequired = pkixRequired;
        MxHost = mxHost;
        Tlsa = tlsa is { Status: TlsaLookupStatus.Usable or TlsaLookupStatus.Unusable } ? tlsa : null;
        DaneGoverns = Tlsa is { Status: TlsaLookupStatus.Usable };

        // RFC 7672 §2.2: secure TLSA records, usable or not, make STARTTLS mandatory for the host.
        Required = pkixRequired || Tlsa is not null;
        CertificateRequired = pkixRequired || DaneGoverns;
    }

    /// <summary>Gets a value indicating whether TLS is mandatory: no plaintext, no fallback (<c>enforce</c> or secure TLSA records).</summary>
    public bool Required { get; }

    /// <summary>Gets a value indicating whether the certificate must pass (refused inside the handshake otherwise).</summary>
    public bool CertificateRequired { get; }

    /// <summary>Gets a value indicating whether DANE authenticates the host (secure usable TLSA records).</summary>
    public bool DaneGoverns { get; }

    /// <summary>Gets the host's secure TLSA records (usable or not), or <see langword="null"/> when DANE has nothing to say.</summary>
    public TlsaLookupResult? Tlsa { get; }

    /// <summary>Gets the MX host name the certificate must name under MTA-STS.</summary>
    public string MxHost { get; }

    /// <summary>Gets the SNI name: the TLSA base domain for a DANE host (RFC 7672 §8.1), otherwise the MX host name (RFC 8461 §7.1).</summary>
    public string ServerName => Tlsa?.BaseDomain ?? MxHost;

    /// <summary>Gets the verdict on the server certificate once the handshake reached it; <see langword="null"/> before.</summary>
    public CertificateValidationResult? Certificate => Volatile.Read(ref _certificate);

    /// <summary>Configures <paramref name="client"/>: TLS 1.2 or later when required (RFC 8461 §7.2, RFC 8996), SNI, and this verdict's callback.</summary>
    public void Configure(SmtpClient client)
    {
        client.SslProtocols = Required ? SslProtocols.Tls12 | SslProtocols.Tls13 : SslProtocols.None;

        // Revocation is checked by the validator (soft-fail on unknown status), not by SslStream's hard-fail check.
        client.CheckCertificateRevocation = false;
        client.ServerCertificateValidationCallback = Validate;
        if (client is GuardedSmtpClient guarded && !string.Equals(ServerName, MxHost, StringComparison.OrdinalIgnoreCase))
        {
            guarded.ServerName = ServerName;
        }
    }

    /// <summary>Gets a value indicating whether <paramref name="client"/> holds a session that meets the requirements.</summary>
    public bool IsCompliant(SmtpClient client) => !Required || (client.IsSecure && (!CertificateRequired || Certificate is { IsValid: true }));

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform verdict is ignored: its name check may fall back to the CN (checklist F.4).
        CertificateValidationResult result;
        if (DaneGoverns)
        {
            // RFC 8461 §2: a failing DANE check is never overridden by MTA-STS; the PKIX check only adds to it.
            result = _dane!.Validate(certificate, chain, Tlsa!);
            if (result.IsValid && _pkixRequired)
            {
                result = _validator.Validate(certificate, chain, MxHost);
            }
        }
        else
        {
            result = _validator.Validate(certificate, chain, MxHost);
        }

        Volatile.Write(ref _certificate, result);

        // RFC 8461 §5: under testing (and without a policy) the session proceeds; the failure is only reported.
        return result.IsValid || !CertificateRequired;
    }
}
