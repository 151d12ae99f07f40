namespace MtaSts;

/// <summary>Converts <see cref="TlsRptResultType"/> to and from its RFC 8460 spelling.</summary>
public static class TlsRptResultTypeExtensions
{
    private static readonly string[] Names =
    [
        "starttls-not-supported",
        "certificate-host-mismatch",
        "certificate-expired",
        "certificate-not-trusted",
        "validation-failure",
        "tlsa-invalid",
        "dnssec-invalid",
        "dane-required",
        "sts-policy-fetch-error",
        "sts-policy-invalid",
        "sts-webpki-invalid",
    ];

    /// <summary>Returns the <c>result-type</c> string used in TLS-RPT reports, such as <c>sts-policy-fetch-error</c>.</summary>
    /// <param name="resultType">The result type.</param>
    /// <returns>The RFC 8460 §4.3 spelling.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resultType"/> is not a defined value.</exception>
    public static string ToResultTypeString(this TlsRptResultType resultType) =>
        (uint)resultType < (uint)Names.Length
            ? Names[(int)resultType]
            : throw new ArgumentOutOfRangeException(nameof(resultType), resultType, "Not a TLS-RPT result type.");
}
