namespace MtaSts;

/// <summary>
/// The DNS lookups MTA-STS and DANE need: the <c>_mta-sts</c> and <c>_smtp._tls</c> TXT records, a recipient domain's MX
/// records, an MX host's addresses and its TLSA records. <c>AddMtaSts</c> registers an implementation over DnsClient that the resolver,
/// the policy fetch and the MailKit delivery agent share; register your own before it to replace it.
/// </summary>
/// <remarks>
/// Implementations never throw for DNS trouble: NXDOMAIN and NODATA are <see cref="DnsLookupStatus.NotFound"/>, and
/// everything else that keeps an answer from being had (SERVFAIL, REFUSED, timeouts, malformed or forged answers,
/// CNAME loops) is <see cref="DnsLookupStatus.TemporaryFailure"/>. Only the caller's cancellation throws. Thread-safe.
/// </remarks>
public interface IMtaStsDns
{
    /// <summary>Looks up TXT records at <paramref name="name"/>, following CNAMEs (Decision 5).</summary>
    /// <param name="name">The owner name, such as <c>_mta-sts.example.com</c>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The records, or why there are none.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Looks up the MX records of <paramref name="domain"/> in preference order (Decision 18).</summary>
    /// <param name="domain">The recipient domain.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The mail exchangers, or why there are none.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Looks up the A and AAAA records of <paramref name="host"/>.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The addresses, or why there are none.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken = default);

    /// <summary>
    /// Looks up what DANE needs for one MX host (RFC 7672 §2.2): its A and AAAA records with their DNSSEC status, and when
    /// they are secure, the TLSA records at <c>_&lt;port&gt;._tcp.</c> the TLSA base domain.
    /// </summary>
    /// <param name="host">The MX host name as found in the MX record.</param>
    /// <param name="port">The SMTP port (25).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>
    /// The host's addresses and its DANE status. An answer counts as secure only when the AD bit comes from a resolver the
    /// configuration trusts (<see cref="MtaStsOptions.TrustedValidatingResolvers"/>; loopback resolvers by default).
    /// </returns>
    /// <remarks>
    /// The default implementation, for DNS clients that cannot validate, looks the addresses up with
    /// <see cref="LookupAddressesAsync"/> and reports <see cref="TlsaLookupStatus.Insecure"/>: no DANE, MTA-STS alone.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    async Task<TlsaLookupResult> LookupTlsaAsync(string host, int port, CancellationToken cancellationToken = default) =>
        TlsaLookupResult.Insecure(host, await LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false));
}
