namespace MtaSts;

/// <summary>The counters of one policy domain for one UTC day: one <see cref="PolicyCounters"/> per policy applied.</summary>
internal sealed class DomainDayCounters
{
    private readonly Lock _gate = new();
    private PolicyCounters[] _policies = [];

    public DomainDayCounters(string policyDomain, DateOnly day)
    {
        PolicyDomain = policyDomain;
        Day = day;
    }

    public string PolicyDomain { get; }

    public DateOnly Day { get; }

    public IReadOnlyList<PolicyCounters> Policies => Volatile.Read(ref _policies);

    public PolicyCounters GetPolicy(string policyType, MtaStsPolicy? policy)
    {
        // Lock-free read of a copy-on-write array: a domain sees one or two policies a day.
        foreach (var counters in Volatile.Read(ref _policies))
        {
            if (counters.Matches(policyType, policy))
            {
                return counters;
            }
        }

        lock (_gate)
        {
            foreach (var counters in _policies)
            {
                if (counters.Matches(policyType, policy))
                {
                    return counters;
                }
            }

            var added = new PolicyCounters(policyType, policy);
            Volatile.Write(ref _policies, [.. _policies, added]);
            return added;
        }
    }

    /// <summary>The counters of the <c>tlsa</c> policy with this text (a TLSA base domain and its records).</summary>
    public PolicyCounters GetTlsaPolicy(string policyText)
    {
        foreach (var counters in Volatile.Read(ref _policies))
        {
            if (counters.MatchesTlsa(policyText))
            {
                return counters;
            }
        }

        lock (_gate)
        {
            foreach (var counters in _policies)
            {
                if (counters.MatchesTlsa(policyText))
                {
                    return counters;
                }
            }

            var added = new PolicyCounters(TlsRptPolicyType.Tlsa, null, policyText);
            Volatile.Write(ref _policies, [.. _policies, added]);
            return added;
        }
    }
}
