namespace MtaSts;

/// <summary>The MTA-STS policy that applies to mail for one domain, and how it was obtained. Immutable.</summary>
public sealed class PolicyResolution
{
    internal PolicyResolution(
        string policyDomain,
        PolicyResolutionStatus status,
        MtaStsPolicy? policy = null,
        string? policyId = null,
        DateTimeOffset? fetchedAt = null,
        DateTimeOffset? expiresAt = null,
        TlsRptResultType? failureResultType = null,
        string? failureReasonCode = null)
    {
        PolicyDomain = policyDomain;
        Status = status;
        Policy = policy;
        PolicyId = policyId;
        FetchedAt = fetchedAt;
        ExpiresAt = expiresAt;
        FailureResultType = failureResultType;
        FailureReasonCode = failureReasonCode;
    }

    /// <summary>Gets the policy domain in normal form: A-labels, lower case, no trailing dot.</summary>
    public string PolicyDomain { get; }

    /// <summary>Gets where the answer came from.</summary>
    public PolicyResolutionStatus Status { get; }

    /// <summary>Gets the policy that applies, or <see langword="null"/> when none does. A policy in <see cref="MtaStsMode.None"/> means the domain opted out.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>Gets the TXT record id under which <see cref="Policy"/> was fetched (the id seen before the fetch, RFC 8461 §8.1).</summary>
    public string? PolicyId { get; }

    /// <summary>Gets when <see cref="Policy"/> was fetched.</summary>
    public DateTimeOffset? FetchedAt { get; }

    /// <summary>Gets when <see cref="Policy"/> stops applying unless refreshed: <see cref="FetchedAt"/> plus <c>max_age</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>
    /// Gets the TLS-RPT result type of a failure met while resolving (<see cref="TlsRptResultType.StsPolicyFetchError"/>,
    /// <see cref="TlsRptResultType.StsPolicyInvalid"/> or <see cref="TlsRptResultType.StsWebPkiInvalid"/>), or
    /// <see langword="null"/>. A failure does not remove a valid cached policy: <see cref="Policy"/> may still be set.
    /// </summary>
    public TlsRptResultType? FailureResultType { get; }

    /// <summary>Gets a short code for the failure, for TLS-RPT's <c>failure-reason-code</c> and logs (for example <c>http-status-404</c>).</summary>
    public string? FailureReasonCode { get; }

    /// <summary>Gets the mode in force: <see cref="MtaStsMode.None"/> when no policy applies.</summary>
    public MtaStsMode Mode => Policy?.Mode ?? MtaStsMode.None;

    /// <summary>Gets a value indicating whether delivery must be refused to MX hosts that fail validation (<c>mode: enforce</c>).</summary>
    public bool IsEnforced => Mode == MtaStsMode.Enforce;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{PolicyDomain}: {Status}, mode {Mode}{(PolicyId is null ? "" : ", id " + PolicyId)}{(FailureResultType is { } f ? $", {f.ToResultTypeString()} ({FailureReasonCode})" : "")}";

    internal PolicyResolution WithFailure(TlsRptResultType? resultType, string? reasonCode) =>
        new(PolicyDomain, Status, Policy, PolicyId, FetchedAt, ExpiresAt, resultType, reasonCode);

    internal PolicyResolution WithStatus(PolicyResolutionStatus status) =>
        status == Status ? this : new(PolicyDomain, status, Policy, PolicyId, FetchedAt, ExpiresAt, FailureResultType, FailureReasonCode);
}
