namespace MtaSts;

/// <summary>The outcome of <see cref="CertificateValidator"/>: success, or the TLS-RPT result type and a reason code.</summary>
internal readonly record struct CertificateCheckResult(TlsRptResultType? ResultType, string? ReasonCode)
{
    public static CertificateCheckResult Valid => default;

    public bool IsValid => ResultType is null;

    public static CertificateCheckResult Fail(TlsRptResultType type, string reason) => new(type, reason);
}
