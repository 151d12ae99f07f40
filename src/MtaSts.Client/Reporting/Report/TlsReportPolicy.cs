namespace MtaSts;

/// <summary>
/// One entry of a TLS report's <c>policies</c> array (RFC 8460 §4.4): the policy applied, the session counts under it
/// and the failures met. Immutable.
/// </summary>
public sealed class TlsReportPolicy
{
    internal TlsReportPolicy(
        string policyType,
        IReadOnlyList<string> policyStrings,
        string? policyDomain,
        IReadOnlyList<string> mxHosts,
        long totalSuccessfulSessionCount,
        long totalFailureSessionCount,
        IReadOnlyList<TlsReportFailureDetail> failureDetails)
    {
        PolicyType = policyType;
        PolicyStrings = policyStrings;
        PolicyDomain = policyDomain;
        MxHosts = mxHosts;
        TotalSuccessfulSessionCount = totalSuccessfulSessionCount;
        TotalFailureSessionCount = totalFailureSessionCount;
        FailureDetails = failureDetails;
    }

    /// <summary>Gets the <c>policy-type</c>: <c>sts</c>, <c>tlsa</c> or <c>no-policy-found</c> (<see cref="TlsRptPolicyType"/>).</summary>
    /// <value>Kept as written: a report from another implementation may use a value this package does not know.</value>
    public string PolicyType { get; }

    /// <summary>Gets the <c>policy-string</c>: one string per policy line for <c>sts</c> (RFC 8460 §4.5). Empty when absent.</summary>
    public IReadOnlyList<string> PolicyStrings { get; }

    /// <summary>Gets the <c>policy-domain</c> in A-labels. Always set in this package's reports; some implementations omit it.</summary>
    public string? PolicyDomain { get; }

    /// <summary>
    /// Gets the <c>mx-host</c> patterns of an <c>sts</c> policy. Empty when absent. Written as an array (RFC 8460 erratum
    /// 6241); a single string, as in the RFC's Appendix B example, is read as one pattern.
    /// </summary>
    public IReadOnlyList<string> MxHosts { get; }

    /// <summary>Gets the <c>total-successful-session-count</c>: sessions that negotiated TLS meeting the policy (RFC 8460 §4.2.1).</summary>
    public long TotalSuccessfulSessionCount { get; }

    /// <summary>Gets the <c>total-failure-session-count</c>: sessions that failed under the policy (RFC 8460 §4.2.2). Not the sum of the failure details, which may overlap.</summary>
    public long TotalFailureSessionCount { get; }

    /// <summary>Gets the <c>failure-details</c>. Empty when there were none.</summary>
    public IReadOnlyList<TlsReportFailureDetail> FailureDetails { get; }
}
