namespace MtaSts;

/// <summary>Finds the MTA-STS policy that applies to mail for a domain.</summary>
public interface IMtaStsPolicyResolver
{
    /// <summary>Resolves the MTA-STS policy that applies to mail for <paramref name="policyDomain"/>.</summary>
    /// <param name="policyDomain">The recipient domain, or the smart host's domain when mail is relayed through one (RFC 8461 §3.4). U-labels, upper case and a trailing dot are accepted.</param>
    /// <param name="cancellationToken">Cancels waiting; a fetch shared with other callers carries on for them.</param>
    /// <returns>The resolution. Never faults for DNS, HTTPS or policy errors: they are reported in <see cref="PolicyResolution.FailureResultType"/>.</returns>
    /// <remarks>
    /// RFC 8461 §3 (discovery) and §5.1 (application). A valid cached policy is returned without waiting on the network
    /// and without allocating; its TXT id is re-checked in the background at most once per
    /// <see cref="MtaStsOptions.RecordCheckInterval"/>. Concurrent calls for one domain share one TXT query and one fetch.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="policyDomain"/> is not a domain name (an address literal, an IP address, or malformed).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The resolver has been disposed.</exception>
    ValueTask<PolicyResolution> ResolveAsync(string policyDomain, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-checks the TXT record now, bypassing the re-check interval, and fetches the policy when its id changed.
    /// Call it before treating a delivery that failed under <c>enforce</c> as a permanent failure (RFC 8461 §5.1 step 3).
    /// </summary>
    /// <param name="policyDomain">The policy domain.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The resolution after the re-check; <see cref="PolicyResolution.Status"/> is <see cref="PolicyResolutionStatus.Fetched"/> when a new policy was fetched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="policyDomain"/> is not a domain name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The resolver has been disposed.</exception>
    ValueTask<PolicyResolution> RecheckAsync(string policyDomain, CancellationToken cancellationToken = default);
}
