using System.Collections.Concurrent;

namespace MtaSts;

/// <summary>The counters of one policy applied to one domain on one day: sessions that succeeded, failed, and each kind of failure.</summary>
internal sealed class PolicyCounters
{
    public PolicyCounters(string policyType, MtaStsPolicy? policy)
    {
        PolicyType = policyType;
        Policy = policy;
        Successes = new CountingCell(TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, policyType, policy?.Text));
        Failures = new CountingCell(TlsReportCounterKey.Encode(TlsReportCounterKey.FailureKind, policyType, policy?.Text));
    }

    /// <summary>Gets the <c>policy-type</c>: <see cref="TlsRptPolicyType.Sts"/> or <see cref="TlsRptPolicyType.NoPolicyFound"/>.</summary>
    public string PolicyType { get; }

    /// <summary>Gets the policy, or <see langword="null"/> for <c>no-policy-found</c> and an <c>sts</c> policy that could not be fetched.</summary>
    public MtaStsPolicy? Policy { get; }

    public CountingCell Successes { get; }

    public CountingCell Failures { get; }

    public ConcurrentDictionary<FailureDetailKey, CountingCell> Details { get; } = new();

    /// <summary>Whether this entry counts sessions under <paramref name="policy"/> of <paramref name="policyType"/>; the same policy object is the fast path.</summary>
    public bool Matches(string policyType, MtaStsPolicy? policy) =>
        string.Equals(PolicyType, policyType, StringComparison.Ordinal)
        && (ReferenceEquals(Policy, policy) || (Policy is not null && policy is not null && string.Equals(Policy.Text, policy.Text, StringComparison.Ordinal)));

    public void AddFailureDetail(in FailureDetailKey key)
    {
        if (!Details.TryGetValue(key, out var cell))
        {
            cell = Details.GetOrAdd(key, static _ => new CountingCell(null));
        }

        cell.Increment();
    }
}
