namespace MtaSts;

/// <summary>The verdict of <see cref="MxCertificateValidator"/>: valid, or the TLS-RPT result type and a reason code.</summary>
public sealed class CertificateValidationResult
{
    private CertificateValidationResult(TlsRptResultType? resultType, string? reasonCode)
    {
        ResultType = resultType;
        ReasonCode = reasonCode;
    }

    /// <summary>Gets the result for a certificate that passed every check.</summary>
    public static CertificateValidationResult Valid { get; } = new(null, null);

    /// <summary>Gets a value indicating whether the certificate passed every check.</summary>
    public bool IsValid => ResultType is null;

    /// <summary>
    /// Gets the TLS-RPT result type of the failure (RFC 8460 §4.3, checklist F.9): <see cref="TlsRptResultType.CertificateExpired"/>,
    /// <see cref="TlsRptResultType.CertificateHostMismatch"/>, <see cref="TlsRptResultType.CertificateNotTrusted"/> or
    /// <see cref="TlsRptResultType.ValidationFailure"/>; <see langword="null"/> when valid.
    /// </summary>
    public TlsRptResultType? ResultType { get; }

    /// <summary>Gets the <c>failure-reason-code</c>, such as <c>untrusted-root</c> or <c>certificate-revoked</c>; <see langword="null"/> when valid.</summary>
    public string? ReasonCode { get; }

    /// <inheritdoc/>
    public override string ToString() => IsValid ? "valid" : $"{ResultType!.Value.ToResultTypeString()} ({ReasonCode})";

    internal static CertificateValidationResult From(CertificateCheckResult result) =>
        result.IsValid ? Valid : new CertificateValidationResult(result.ResultType, result.ReasonCode);
}
