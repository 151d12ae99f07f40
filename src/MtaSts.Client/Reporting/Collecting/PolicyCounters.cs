using System.Collections.Concurrent;

namespace MtaSts;

/// <summary>The counters of one policy applied to one domain on one day: sessions that succeeded, failed, and each kind of failure.</summary>
internal sealed class PolicyCounters
{
    public PolicyCounters(string policyType, MtaStsPolicy? policy, string? policyText = null)
    {
        PolicyType = policyType;
        Policy = policy;
        PolicyText = policyText ?? policy?.Text;
        Successes = new CountingCell(TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, policyType, PolicyText));
        Failures = new CountingCell(TlsReportCounterKey.Encode(TlsReportCounterKey.FailureKind, policyType, PolicyText));
    }

    /// <summary>Gets the <c>policy-type</c>: <see cref="TlsRptPolicyType.Sts"/>, <see cref="TlsRptPolicyType.Tlsa"/> or <see cref="TlsRptPolicyType.NoPolicyFound"/>.</summary>
    public string PolicyType { get; }

    /// <summary>Gets the policy, or <see langword="null"/> for <c>no-policy-found</c>, <c>tlsa</c> and an <c>sts</c> policy that could not be fetched.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>Gets the text the counters are keyed by: the MTA-STS policy text, or a <c>tlsa</c> policy's <see cref="TlsaPolicyText"/>.</summary>
    public string? PolicyText { get; }

    public CountingCell Successes { get; }

    public CountingCell Failures { get; }

    public ConcurrentDictionary<FailureDetailKey, CountingCell> Details { get; } = new();

    /// <summary>Whether this entry counts sessions under <paramref name="policy"/> of <paramref name="policyType"/>; the same policy object is the fast path.</summary>
    public bool Matches(string policyType, MtaStsPolicy? policy) =>
        string.Equals(PolicyType, policyType, StringComparison.Ordinal)
        && (ReferenceEquals(Policy, policy) || (Policy is not null && policy is not null && string.Equals(Policy.Text, policy.Text, StringComparison.Ordinal)));

    /// <summary>Whether this entry counts sessions under the <c>tlsa</c> policy with this text.</summary>
    public bool MatchesTlsa(string policyText) =>
        string.Equals(PolicyType, TlsRptPolicyType.Tlsa, StringComparison.Ordinal) && string.Equals(PolicyText, policyText, StringComparison.Ordinal);

    public void AddFailureDetail(in FailureDetailKey key)
    {
        if (!Details.TryGetValue(key, out var cell))
        {
            cell = Details.GetOrAdd(key, static _ => new CountingCell(null));
        }

        cell.Increment();
    }
}
