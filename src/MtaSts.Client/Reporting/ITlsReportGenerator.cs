namespace MtaSts;

/// <summary>Builds TLS reports from the sessions counted so far, to look at them without sending them.</summary>
public interface ITlsReportGenerator
{
    /// <summary>
    /// Builds the report that would be sent for <paramref name="policyDomain"/> and the UTC day <paramref name="day"/>,
    /// from every session counted so far (the counts in memory are written to the store first).
    /// </summary>
    /// <param name="policyDomain">The policy domain (U-labels are converted to A-labels; case and a trailing dot do not matter).</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The report, or <see langword="null"/> when no session to that domain was counted that day (RFC 8460: no report for a day without sessions).</returns>
    /// <remarks>RFC 8460 §4. Nothing is sent, and the report is not marked sent: the scheduled report of that day is unaffected.</remarks>
    /// <exception cref="ArgumentException"><paramref name="policyDomain"/> is not a domain name.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Exception">The report store failed (whatever it throws, for example a <c>SqlitePolicyStoreException</c>).</exception>
    Task<TlsReport?> GenerateReportAsync(string policyDomain, DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Lists the policy domains with sessions counted on the UTC day <paramref name="day"/> (the counts in memory are written to the store first).</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The policy domains, in ordinal order.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Exception">The report store failed.</exception>
    Task<IReadOnlyList<string>> ListPolicyDomainsAsync(DateOnly day, CancellationToken cancellationToken = default);
}
