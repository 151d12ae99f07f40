using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Caching.Memory;

namespace MtaSts;

/// <summary>
/// Builds the primary handler of the <c>MtaSts</c> named <see cref="HttpClient"/>: no redirects, no cookies, no proxy
/// unless <see cref="MtaStsOptions.Proxy"/> names one,
/// TLS 1.2 or later with SNI, the project's own certificate checks, and a connect callback that resolves the
/// policy host through the same DNS client as discovery and applies <see cref="AddressGuard"/>.
/// </summary>
internal sealed class PolicyHttpHandlerFactory
{
    private readonly MtaStsOptions _options;
    private readonly IMtaStsDns _dns;
    private readonly CertificateValidator _validator;

    /// <summary>How long the certificate verdict of a policy host is kept for the fetcher to read back.</summary>
    internal static readonly TimeSpan CertificateResultLifetime = TimeSpan.FromMinutes(2);

    // The last certificate presented per host name, kept only when CaptureCertificates is on (the inspector's fetches).
    private readonly ConcurrentDictionary<string, (X509Certificate2 Certificate, X509Certificate2Collection Chain)> _lastCertificates = new(StringComparer.OrdinalIgnoreCase);


    internal const int CertificateResultLimit = 1_000;

    // The last certificate verdict per host name, read back by the fetcher to give a precise reason code. A side table:
    // a verdict nobody takes (the handshake went on to succeed) expires instead of staying for ever.
    private readonly MemoryCache _lastCertificateResults;
    private readonly TimeProvider _timeProvider;

    public PolicyHttpHandlerFactory(MtaStsOptions options, IMtaStsDns dns, CertificateValidator validator, TimeProvider timeProvider)
    {
        _options = options;
        _dns = dns;
        _validator = validator;
        _timeProvider = timeProvider;
        _lastCertificateResults = SideTable.Create(CertificateResultLimit, new TimeProviderClock(timeProvider));
    }

    /// <summary>Gets the number of certificate verdicts held (for tests).</summary>
    internal int CertificateResultCount => _lastCertificateResults.Count;

    public SocketsHttpHandler Create() => new()
    {
        // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),

        // Only the proxy configured in MtaStsOptions, never the system's (HTTPS_PROXY): a proxy changes who resolves and
        // connects to the policy host, so it is an explicit decision. Without one, ConnectCallback resolves the host
        // through the resolver's DNS client and applies the address guard. With one, the handler connects to the proxy
        // itself (an operator's host, resolved by the system) and the proxy connects to the policy host.
        UseProxy = _options.Proxy is not null,
        Proxy = _options.Proxy is { } proxy ? new WebProxy(proxy) { BypassProxyOnLocal = false, UseDefaultCredentials = false } : null,
        ConnectCallback = _options.Proxy is null ? ConnectAsync : null,

        // The fetch budget (FetchTimeout, on the TimeProvider) bounds the connection too; a second timer of the
        // same length on the real clock would race it and surface as an exception instead of a fetch error.
        ConnectTimeout = Timeout.InfiniteTimeSpan,
        SslOptions = new SslClientAuthenticationOptions
        {
            // RFC 8461 §7.2: TLS 1.2 or later. SNI is the request host, mta-sts.<domain> (§7.1).
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = ValidateCertificate,
        },
    };

    /// <summary>Gets or sets a value indicating whether the presented certificates are kept for <see cref="TakeLastCertificate"/>.</summary>
    public bool CaptureCertificates { get; set; }

    /// <summary>Returns and forgets the last certificate (and the chain the TLS stack built) presented by <paramref name="host"/>, when captured.</summary>
    public (X509Certificate2 Certificate, X509Certificate2Collection Chain)? TakeLastCertificate(string host) =>
        _lastCertificates.TryRemove(host, out var captured) ? captured : null;

    /// <summary>
    /// Behind a proxy, the part of the address guard that still applies: the policy host is resolved through the
    /// resolver's DNS client, and the fetch is refused when any address found is in a refused range (the proxy might
    /// pick that one). A name this DNS cannot resolve is left to the proxy, which may see other answers.
    /// </summary>
    /// <returns>The refusal reason, or <see langword="null"/> when the proxy may be asked.</returns>
    public async Task<string?> GetProxiedHostRefusalAsync(string host, CancellationToken cancellationToken)
    {
        if (_options.AllowPrivateAddresses)
        {
            return null;
        }

        var lookup = await _dns.LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        foreach (var address in lookup.Addresses)
        {
            if (AddressGuard.GetRefusalReason(address) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Returns and forgets the last certificate verdict for <paramref name="host"/>.</summary>
    public CertificateCheckResult? TakeLastCertificateResult(string host)
    {
        var key = host.ToLowerInvariant();
        if (_lastCertificateResults.TryGetValue(key, out CertificateCheckResult result))
        {
            _lastCertificateResults.Remove(key);
            return result;
        }

        return null;
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform's verdict (errors) is deliberately ignored: its name check may fall back to the CN.
        var valid = _validator.ValidateForTls(sender, certificate, chain, out var result);
        if (sender is SslStream { TargetHostName: { Length: > 0 } host })
        {
            RememberCertificateResult(host, result);
            if (CaptureCertificates && certificate is not null)
            {
                // Copies: the TLS stack disposes its own objects once the callback returns.
                var elements = new X509Certificate2Collection();
                if (chain is not null)
                {
                    foreach (var element in chain.ChainElements)
                    {
                        elements.Add(X509CertificateLoader.LoadCertificate(element.Certificate.RawData));
                    }
                }

                _lastCertificates[host] = (X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), elements);
            }
        }

        return valid;
    }

    /// <summary>Keeps the verdict for <paramref name="host"/> until the fetcher takes it, or for <see cref="CertificateResultLifetime"/>.</summary>
    internal void RememberCertificateResult(string host, CertificateCheckResult result) =>
        _lastCertificateResults.Set(host.ToLowerInvariant(), result, SideTable.ExpiringAt(_timeProvider.GetUtcNow() + CertificateResultLifetime));

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var lookup = await _dns.LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (lookup.Status == DnsLookupStatus.TemporaryFailure)
        {
            throw new DnsLookupException($"Address lookup for '{host}' failed: {lookup.Error}");
        }

        var addresses = lookup.Addresses;
        if (addresses.Count == 0)
        {
            throw new PolicyHostRefusedException($"The policy host '{host}' has no A or AAAA record.") { ReasonCode = "policy-host-no-address" };
        }

        string? refusal = null;
        Exception? lastError = null;
        foreach (var address in addresses)
        {
            var reason = _options.AllowPrivateAddresses ? null : AddressGuard.GetRefusalReason(address);
            if (reason is not null)
            {
                refusal ??= reason;
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (lastError is not null)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Could not connect to the policy host '{host}'.", lastError);
        }

        // Decision 21: every address is in a refused range.
        throw new PolicyHostRefusedException($"The policy host '{host}' resolves only to refused ({refusal}) addresses.")
        {
            ReasonCode = "policy-host-address-" + refusal,
        };
    }
}
