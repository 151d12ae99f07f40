namespace MtaSts;

/// <summary>Where the answer of <see cref="IMtaStsPolicyResolver.ResolveAsync"/> came from.</summary>
public enum PolicyResolutionStatus
{
    /// <summary>
    /// No policy applies: the domain publishes none, or discovery or the fetch failed and nothing valid is cached
    /// (RFC 8461 §3.3: deliver as if the domain had no MTA-STS). <see cref="PolicyResolution.FailureResultType"/>
    /// says whether a failure is to be reported.
    /// </summary>
    NoPolicy,

    /// <summary>The policy was fetched over HTTPS for this resolution (new domain, new id, or expired cache).</summary>
    Fetched,

    /// <summary>A valid cached policy applies. A failure to refresh it may be reported alongside.</summary>
    Cached,

    /// <summary>
    /// DNS failed temporarily, nothing is cached, and <see cref="MtaStsOptions.DeferOnTemporaryFailure"/> is on:
    /// defer delivery and try again later.
    /// </summary>
    TemporaryFailure,
}
