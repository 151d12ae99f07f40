namespace MtaSts;

/// <summary>Fetches a domain's policy over HTTPS: the seam unit tests of the resolver replace.</summary>
internal interface IPolicyFetcher
{
    /// <summary>Fetches and parses the policy of <paramref name="policyDomain"/> (already normalised). Never throws for network or policy errors.</summary>
    Task<PolicyFetchResult> FetchAsync(string policyDomain, CancellationToken cancellationToken);
}
