using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MtaSts;

/// <summary>
/// Looks at a domain exactly as the resolver and the delivery path do, and shows the details they act on: the raw
/// <c>_mta-sts</c> TXT records and the selection, the policy fetch (URL, status, media type, size, certificate and the
/// verdicts), the MX hosts and their addresses, and the <c>_smtp._tls</c> record. For diagnostics tools such as
/// <c>mta-sts check</c>; a sender resolves policies with <see cref="IMtaStsPolicyResolver"/> instead.
/// </summary>
/// <remarks>
/// <para>The inspector uses the resolver's own DNS client, fetcher, HTTP handler and certificate checks, configured by
/// the same <see cref="MtaStsOptions"/>, but keeps no cache and no back-off: every call asks the network again.</para>
/// <para>DNS, HTTPS and policy errors are values on the results, never exceptions. Instances are thread-safe; dispose
/// the inspector when done.</para>
/// </remarks>
public sealed class MtaStsInspector : IAsyncDisposable, IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IMtaStsDns _dns;
    private readonly PolicyFetcher _fetcher;
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _timeProvider;
    private volatile bool _disposed;

    private MtaStsInspector(ServiceProvider services)
    {
        _services = services;
        _options = services.GetRequiredService<MtaStsOptions>();
        _dns = services.GetRequiredService<IMtaStsDns>();
        _fetcher = (PolicyFetcher)services.GetRequiredService<IPolicyFetcher>();
        _timeProvider = services.GetRequiredService<TimeProvider>();
        services.GetRequiredService<PolicyHttpHandlerFactory>().CaptureCertificates = true;
    }

    /// <summary>Creates an inspector with its own DNS client and HTTP client.</summary>
    /// <param name="configure">Configures the options (name servers, trust roots, timeouts, …); <see langword="null"/> for the defaults.</param>
    /// <returns>The inspector.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each bad option and its value.</exception>
    public static MtaStsInspector Create(Action<MtaStsOptions>? configure = null)
    {
        var collection = new ServiceCollection();
        collection.AddMtaSts(configure);
        var services = collection.BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<MtaStsOptions>>().Value;
            return new MtaStsInspector(services);
        }
        catch
        {
            services.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Looks up the <c>_mta-sts</c> TXT records of <paramref name="policyDomain"/> and, when the selection keeps one, fetches
    /// and parses the policy: RFC 8461 §3.1–§3.3, as the resolver does for a domain it has not cached.
    /// </summary>
    /// <param name="policyDomain">The policy domain: ASCII or U-labels, any case, with or without a trailing dot.</param>
    /// <param name="cancellationToken">Cancels the lookups and the fetch.</param>
    /// <returns>The record lookup, the fetch and the resolution that follows from them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="policyDomain"/> is not a domain name (an address literal, an IP address, a malformed name).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The inspector has been disposed.</exception>
    public async Task<PolicyInspection> InspectPolicyAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        var domain = PolicyDomainName.Normalize(policyDomain, nameof(policyDomain));
        ObjectDisposedException.ThrowIf(_disposed, this);
        var queryName = "_mta-sts." + domain;
        var txt = await _dns.LookupTxtAsync(queryName, cancellationToken).ConfigureAwait(false);
        var record = new MtaStsRecordInspection(queryName, txt);
        if (record.Record is null)
        {
            var status = txt.Status == DnsLookupStatus.TemporaryFailure && _options.DeferOnTemporaryFailure
                ? PolicyResolutionStatus.TemporaryFailure
                : PolicyResolutionStatus.NoPolicy;
            return new PolicyInspection(domain, record, null, new PolicyResolution(domain, status, failureReasonCode: record.Problem));
        }

        var details = new PolicyFetchDetails();
        var started = _timeProvider.GetTimestamp();
        var result = await _fetcher.FetchAsync(domain, details, cancellationToken).ConfigureAwait(false);
        var fetch = new PolicyFetchInspection(PolicyUrl(domain), result, details, _timeProvider.GetElapsedTime(started));
        PolicyResolution resolution;
        if (result.Policy is { } policy)
        {
            var fetchedAt = _timeProvider.GetUtcNow();
            resolution = new PolicyResolution(domain, PolicyResolutionStatus.Fetched, policy, record.Record.Id, fetchedAt, fetchedAt + policy.MaxAge);
        }
        else
        {
            // RFC 8461 §3.3: with nothing cached, deliver as if the domain had no policy, and report the failure.
            resolution = new PolicyResolution(domain, PolicyResolutionStatus.NoPolicy, failureResultType: result.ResultType, failureReasonCode: result.ReasonCode);
        }

        return new PolicyInspection(domain, record, fetch, resolution);
    }

    /// <summary>Looks up the <c>_smtp._tls</c> TXT records of <paramref name="policyDomain"/> and applies the RFC 8460 §3 selection.</summary>
    /// <param name="policyDomain">The policy domain.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The lookup and the record selected, if any.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="policyDomain"/> is not a domain name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The inspector has been disposed.</exception>
    public async Task<TlsRptRecordInspection> InspectTlsRptRecordAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        var domain = PolicyDomainName.Normalize(policyDomain, nameof(policyDomain));
        ObjectDisposedException.ThrowIf(_disposed, this);
        var queryName = "_smtp._tls." + domain;
        var txt = await _dns.LookupTxtAsync(queryName, cancellationToken).ConfigureAwait(false);
        return new TlsRptRecordInspection(queryName, txt);
    }

    /// <summary>Looks up the MX hosts of <paramref name="domain"/> in preference order, as the delivery path does.</summary>
    /// <param name="domain">The recipient domain.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The hosts, or why there are none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is not a domain name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The inspector has been disposed.</exception>
    public Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken = default)
    {
        var normalized = PolicyDomainName.Normalize(domain, nameof(domain));
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _dns.LookupMxAsync(normalized, cancellationToken);
    }

    /// <summary>
    /// Looks up an MX host's addresses and its DANE status (RFC 7672 §2.2): TLSA records at <c>_&lt;port&gt;._tcp</c>, secure only
    /// when a trusted validating resolver says so (<see cref="MtaStsOptions.TrustedValidatingResolvers"/>).
    /// </summary>
    /// <param name="host">The MX host name.</param>
    /// <param name="port">The SMTP port (25).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The addresses and the DANE status, as the delivery agent decides them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a TCP port.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The inspector has been disposed.</exception>
    public Task<TlsaLookupResult> LookupTlsaAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _dns.LookupTlsaAsync(host, port, cancellationToken);
    }

    /// <summary>Looks up the A and AAAA records of <paramref name="host"/> (an MX host, say).</summary>
    /// <param name="host">The host name.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The addresses, or why there are none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The inspector has been disposed.</exception>
    public Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _dns.LookupAddressesAsync(host, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return _services.DisposeAsync();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _services.Dispose();
    }

    private Uri PolicyUrl(string domain) => new(_options.PolicyHostPort == 443
        ? $"https://mta-sts.{domain}/.well-known/mta-sts.txt"
        : string.Create(CultureInfo.InvariantCulture, $"https://mta-sts.{domain}:{_options.PolicyHostPort}/.well-known/mta-sts.txt"));
}
