using System.Globalization;

namespace MtaSts;

/// <summary>
/// One TLSA resource record (RFC 6698 §2.1): certificate usage, selector, matching type and the certificate association
/// data. Immutable.
/// </summary>
/// <remarks>
/// RFC 7672 §3.1: for SMTP only DANE-TA(2) and DANE-EE(3) are usable; PKIX-TA(0) and PKIX-EE(1) are unusable (§3.1.3),
/// as are unknown selectors and matching types (RFC 7671 §4). <see cref="ToString"/> is the presentation form TLS-RPT's
/// <c>policy-string</c> uses (RFC 8460 §4.5): four space-separated fields, the data in upper-case hexadecimal.
/// </remarks>
public sealed class TlsaRecord
{
    private readonly byte[] _data;

    /// <summary>Initializes a new instance of the <see cref="TlsaRecord"/> class.</summary>
    /// <param name="certificateUsage">The certificate usage field (0–255).</param>
    /// <param name="selector">The selector field (0–255).</param>
    /// <param name="matchingType">The matching type field (0–255).</param>
    /// <param name="data">The certificate association data; copied.</param>
    public TlsaRecord(byte certificateUsage, byte selector, byte matchingType, ReadOnlySpan<byte> data)
    {
        CertificateUsage = certificateUsage;
        Selector = selector;
        MatchingType = matchingType;
        _data = data.ToArray();
    }

    /// <summary>Gets the certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218 mnemonics).</summary>
    public byte CertificateUsage { get; }

    /// <summary>Gets the selector: 0 the full certificate, 1 its SubjectPublicKeyInfo.</summary>
    public byte Selector { get; }

    /// <summary>Gets the matching type: 0 exact match, 1 SHA-256, 2 SHA-512.</summary>
    public byte MatchingType { get; }

    /// <summary>Gets the certificate association data.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>
    /// Gets a value indicating whether SMTP may use the record (RFC 7672 §3.1): usage DANE-TA(2) or DANE-EE(3), selector 0
    /// or 1, matching type 0, 1 or 2, and for a digest the digest's exact length.
    /// </summary>
    public bool IsUsable =>
        CertificateUsage is 2 or 3
        && Selector is 0 or 1
        && MatchingType switch
        {
            0 => _data.Length > 0,
            1 => _data.Length == 32,
            2 => _data.Length == 64,
            _ => false,
        };

    /// <summary>Returns the record in presentation form, such as <c>3 1 1 0D2F…</c> (RFC 8460 §4.5).</summary>
    /// <returns>The four fields separated by single spaces, the data in upper-case hexadecimal.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{CertificateUsage} {Selector} {MatchingType} {Convert.ToHexString(_data)}");
}
