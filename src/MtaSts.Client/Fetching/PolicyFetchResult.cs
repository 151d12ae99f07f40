namespace MtaSts;

/// <summary>The outcome of one policy fetch: a policy, or a TLS-RPT result type and reason code.</summary>
internal sealed record PolicyFetchResult(MtaStsPolicy? Policy, TlsRptResultType? ResultType, string? ReasonCode, bool IsTransient = false)
{
    public static PolicyFetchResult Success(MtaStsPolicy policy) => new(policy, null, null);

    public static PolicyFetchResult FetchError(string reason, bool transient = false) => new(null, TlsRptResultType.StsPolicyFetchError, reason, transient);

    public static PolicyFetchResult Invalid(string reason) => new(null, TlsRptResultType.StsPolicyInvalid, reason);

    public static PolicyFetchResult WebPkiInvalid(string reason) => new(null, TlsRptResultType.StsWebPkiInvalid, reason);
}
