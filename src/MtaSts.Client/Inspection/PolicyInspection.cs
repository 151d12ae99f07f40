namespace MtaSts;

/// <summary>
/// A domain's MTA-STS policy as a sender that enforces would find it with nothing cached: the <c>_mta-sts</c> TXT
/// lookup, the policy fetch (made only when a record was selected, as the resolver does), and the resolution that follows.
/// </summary>
public sealed class PolicyInspection
{
    internal PolicyInspection(string policyDomain, MtaStsRecordInspection record, PolicyFetchInspection? fetch, PolicyResolution resolution)
    {
        PolicyDomain = policyDomain;
        Record = record;
        Fetch = fetch;
        Resolution = resolution;
    }

    /// <summary>Gets the policy domain in normal form: A-labels, lower case, no trailing dot.</summary>
    public string PolicyDomain { get; }

    /// <summary>Gets the <c>_mta-sts</c> TXT lookup and its selection (RFC 8461 §3.1).</summary>
    public MtaStsRecordInspection Record { get; }

    /// <summary>Gets the policy fetch, or <see langword="null"/> when no record was selected (no fetch is made then).</summary>
    public PolicyFetchInspection? Fetch { get; }

    /// <summary>
    /// Gets the resolution a resolver with an empty cache returns for these answers: <see cref="PolicyResolutionStatus.Fetched"/>
    /// with the policy, or <see cref="PolicyResolutionStatus.NoPolicy"/> (or <see cref="PolicyResolutionStatus.TemporaryFailure"/>
    /// under <see cref="MtaStsOptions.DeferOnTemporaryFailure"/>) with the failure to report. Pass it to the MailKit
    /// package's TLS guard to probe an MX host as enforcement would.
    /// </summary>
    public PolicyResolution Resolution { get; }
}
