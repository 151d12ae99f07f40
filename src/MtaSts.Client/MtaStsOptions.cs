using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>Settings for MTA-STS policy resolution. Defaults follow RFC 8461's suggestions and this project's decisions.</summary>
public sealed class MtaStsOptions
{
    /// <summary>The largest policy body the fetcher reads (RFC 8461 §3.3 suggests 64 KiB).</summary>
    public const int MaxPolicyBodySizeLimit = 65536;

    /// <summary>Gets the DNS servers to ask (address and port). Empty: the system's resolvers.</summary>
    /// <value>Empty by default.</value>
    public IList<IPEndPoint> NameServers { get; } = [];

    /// <summary>
    /// Gets the addresses of validating resolvers, besides the loopback ones, whose AD bit is believed: only answers with
    /// the AD bit from a loopback resolver or one listed here count as DNSSEC-secure for DANE (RFC 7672 §2.1.3,
    /// RFC 6698 §4.1), and DANE's DNSSEC questions are sent to those resolvers only. List a resolver only when the path to
    /// it is trusted (the same host, or a protected network) and it validates itself.
    /// </summary>
    /// <value>
    /// Empty by default: loopback resolvers (127.0.0.0/8, ::1) only, except the forwarding stubs of systemd-resolved
    /// (127.0.0.53, 127.0.0.54) and Docker (127.0.0.11), which count only when listed here.
    /// </value>
    public IList<IPAddress> TrustedValidatingResolvers { get; } = [];

    /// <summary>Gets or sets how long one DNS query may take.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the overall budget for one DNS lookup: the TXT discovery with its CNAME chain, an MX lookup, an
    /// address lookup — every query, retry and re-ask over TCP included. A lookup that runs out is a temporary failure.
    /// </summary>
    /// <value>15 seconds.</value>
    public TimeSpan DiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the overall budget for one policy fetch, retries included.</summary>
    /// <value>60 seconds (RFC 8461 §3.3 suggests one minute).</value>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how many times a fetch is retried within <see cref="FetchTimeout"/> after a connection failure, a 5xx, 408 or 429.</summary>
    /// <value>2.</value>
    public int FetchRetryCount { get; set; } = 2;

    /// <summary>Gets or sets the delay before the first retry; later retries back off exponentially, with jitter.</summary>
    /// <value>1 second.</value>
    public TimeSpan FetchRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets a value indicating whether a policy served with a media type other than <c>text/plain</c> is refused.</summary>
    /// <value><see langword="true"/>: refused as <c>sts-policy-invalid</c> (RFC 8461 §3.2 SHOULD). <see langword="false"/> accepts any media type.</value>
    public bool RequireTextPlain { get; set; } = true;

    /// <summary>Gets or sets the largest policy body read, in bytes; a longer body is a fetch failure. At most 65,536.</summary>
    /// <value>65,536.</value>
    public int MaxPolicyBodySize { get; set; } = MaxPolicyBodySizeLimit;

    /// <summary>Gets or sets how long no new fetch is made for the same domain and policy id after a failed fetch (RFC 8461 §3.3).</summary>
    /// <value>5 minutes. A new id is fetched at once.</value>
    public TimeSpan FetchBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how often, at most, the TXT id of a cached policy is re-checked in the background.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan RecordCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets the longest time between two proactive re-fetches of a cached policy in use (RFC 8461 §3.3, §10.2). A
    /// policy is re-fetched at half its <c>max_age</c> when that is sooner, so that it is renewed before it expires.
    /// </summary>
    /// <value>1 day; each refresh is spread with up to 10% jitter.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Gets or sets how recently a cached policy must have been used for the proactive refresh to keep it fresh. Policies
    /// of domains no mail went to for longer are left to expire (receivers object to fetches that no mail follows); they
    /// are fetched again, blocking, on the next delivery.
    /// </summary>
    /// <value>7 days.</value>
    public TimeSpan RefreshUsedWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets or sets how long a cached policy may go unused before it is dropped.</summary>
    /// <value>180 days.</value>
    public TimeSpan UnusedPolicyLifetime { get; set; } = TimeSpan.FromDays(180);

    /// <summary>
    /// Gets the roots trusted for the policy host's certificate. Empty: the system trust store. Otherwise only these
    /// roots are trusted (private PKI, tests).
    /// </summary>
    /// <value>Empty by default.</value>
    public X509Certificate2Collection TrustRoots { get; } = [];

    /// <summary>Gets or sets how certificate revocation is checked. An unknown status is tolerated; a revoked certificate fails.</summary>
    /// <value><see cref="X509RevocationMode.Online"/>.</value>
    public X509RevocationMode RevocationMode { get; set; } = X509RevocationMode.Online;

    /// <summary>
    /// Gets or sets a value indicating whether the policy host may resolve to private, loopback, link-local,
    /// multicast or unspecified addresses. Leave off in production: it guards against server-side request forgery.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Gets or sets how long one durable store operation (read, write, removal) may take before the resolver goes on
    /// without it. Only used with a durable store (<c>AddSqlitePolicyStore</c>, <c>AddDistributedPolicyStore</c>).
    /// </summary>
    /// <value>2 seconds.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets the shortest time a "no policy" answer (NXDOMAIN or NODATA for <c>_mta-sts</c>, or no STS record among the
    /// TXT records) is cached, whatever its DNS TTL says. Only an authoritative "no" is cached: temporary failures, several
    /// or invalid records are not, and a cached answer never stands in for a valid cached policy.
    /// </summary>
    /// <value>1 minute.</value>
    public TimeSpan NegativeCacheMinimum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets the longest time a "no policy" answer is cached, whatever its DNS TTL says: a domain that starts to
    /// publish a policy is seen at most this long after. <see cref="TimeSpan.Zero"/> turns negative caching off.
    /// </summary>
    /// <value>1 hour.</value>
    public TimeSpan NegativeCacheMaximum { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets a value indicating whether a temporary DNS failure with no cached policy yields
    /// <see cref="PolicyResolutionStatus.TemporaryFailure"/> (defer delivery) instead of <see cref="PolicyResolutionStatus.NoPolicy"/>.
    /// </summary>
    /// <value><see langword="false"/>: deliver as if the domain had no policy (RFC 8461 §3.3 behaviour).</value>
    public bool DeferOnTemporaryFailure { get; set; }

    /// <summary>
    /// Gets or sets the forward proxy policy fetches go through, such as <c>http://proxy.internal:3128</c>; <see langword="null"/>
    /// connects to the policy host directly. Schemes <c>http</c>, <c>https</c>, <c>socks4</c>, <c>socks4a</c> and
    /// <c>socks5</c>; no user information in the URI. The system's proxy settings (<c>HTTPS_PROXY</c>) are never used.
    /// </summary>
    /// <value><see langword="null"/>: no proxy.</value>
    /// <remarks>
    /// Through a proxy every check that does not depend on the connection stays in force: the TLS session is end to end
    /// with the policy host (a CONNECT tunnel), with SNI, TLS 1.2 or later and the same certificate checks (RFC 8461
    /// §3.3); redirects are not followed, only 200 is accepted, and the body cap and the fetch budget apply. The proxy,
    /// not this library, resolves the policy host and connects to it, so the address guard
    /// (<see cref="AllowPrivateAddresses"/>) can no longer see the address actually used. It still resolves the policy host
    /// through <see cref="NameServers"/> before asking the proxy and refuses the fetch when any address it finds is in a
    /// refused range, but it cannot see answers the proxy gets from another resolver (split-horizon DNS, or no DNS here
    /// at all): restrict what the proxy may reach on the proxy itself.
    /// </remarks>
    public Uri? Proxy { get; set; }

    /// <summary>Gets or sets the TCP port of the policy host. Only tests change it; RFC 8461 §3.3 requires 443.</summary>
    internal int PolicyHostPort { get; set; } = 443;
}
