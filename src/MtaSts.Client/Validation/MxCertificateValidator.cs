using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>
/// Validates an MX host's certificate as RFC 8461 §4.2 requires: a chain to a trusted root, within validity, not
/// revoked (online check, unknown status tolerated), and a SAN dNSName matching the MX host name — no fallback to the
/// subject CN, a wildcard only as the whole left-most label standing for exactly one label, IDN compared as A-labels.
/// Usable without MailKit: call it from any <see cref="RemoteCertificateValidationCallback"/>. Thread-safe.
/// </summary>
public sealed class MxCertificateValidator
{
    private readonly CertificateValidator _validator;

    /// <summary>Initializes a new instance of the <see cref="MxCertificateValidator"/> class.</summary>
    /// <param name="trustRoots">The roots to trust; <see langword="null"/> or empty for the system trust store.</param>
    /// <param name="revocationMode">How revocation is checked; an unknown status is tolerated, a revoked certificate fails.</param>
    /// <param name="timeProvider">The clock validity is checked against; <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="revocationMode"/> is not a defined value.</exception>
    public MxCertificateValidator(X509Certificate2Collection? trustRoots = null, X509RevocationMode revocationMode = X509RevocationMode.Online, TimeProvider? timeProvider = null)
    {
        if (!Enum.IsDefined(revocationMode))
        {
            throw new ArgumentOutOfRangeException(nameof(revocationMode), revocationMode, "Not a defined X509RevocationMode.");
        }

        _validator = new CertificateValidator(trustRoots ?? [], revocationMode, timeProvider ?? TimeProvider.System);
    }

    internal MxCertificateValidator(CertificateValidator validator) => _validator = validator;

    /// <summary>Validates <paramref name="certificate"/> for the MX host <paramref name="mxHost"/>.</summary>
    /// <param name="certificate">The certificate the server presented; <see langword="null"/> fails as <see cref="TlsRptResultType.CertificateNotTrusted"/>.</param>
    /// <param name="chain">The chain the TLS stack built, which supplies the intermediates the server sent; may be <see langword="null"/>.</param>
    /// <param name="mxHost">The MX host name as found in the MX record (the reference identifier, RFC 8461 §4.2); U-labels and a trailing dot are accepted.</param>
    /// <returns>The verdict, with a TLS-RPT result type and reason code when the certificate fails.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is <see langword="null"/>.</exception>
    public CertificateValidationResult Validate(X509Certificate? certificate, X509Chain? chain, string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        if (!MxHostName.TryNormalize(mxHost, out var host, out _))
        {
            return CertificateValidationResult.From(CertificateCheckResult.Fail(TlsRptResultType.CertificateHostMismatch, "invalid-mx-host-name"));
        }

        var certificate2 = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        return CertificateValidationResult.From(_validator.Validate(certificate2, chain, host.ToString()));
    }
}
