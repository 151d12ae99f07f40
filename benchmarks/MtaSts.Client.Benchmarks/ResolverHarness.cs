using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace MtaSts.Benchmarks;

/// <summary>A resolver whose DNS and fetch seams answer from memory, pre-filled with cached policies: no I/O is measured.</summary>
internal sealed class ResolverHarness : IDisposable
{
    /// <summary>Domains without a policy are named <c>nopolicy…</c>: their TXT lookup is NXDOMAIN (cached negatively).</summary>
    public const string NoPolicyPrefix = "nopolicy";

    /// <param name="domains">How many domains to resolve into the cache.</param>
    /// <param name="withoutPolicy">Whether the domains publish no policy (negative cache entries) instead of one.</param>
    public ResolverHarness(int domains, bool withoutPolicy = false)
    {
        var options = new MtaStsOptions { RecordCheckInterval = TimeSpan.FromDays(1), NegativeCacheMaximum = TimeSpan.FromDays(1), NegativeCacheMinimum = TimeSpan.FromDays(1) };
        Clock = new PolicyClock(TimeProvider.System);
        Store = new MemoryPolicyStore();
        Telemetry = new MtaStsTelemetry(null);
        Resolver = new PolicyResolver(new MemoryDns(), new MemoryFetcher(), Store, options, Clock, Telemetry, NullLogger<PolicyResolver>.Instance);
        var prefix = withoutPolicy ? NoPolicyPrefix : "domain";
        Domains = [.. Enumerable.Range(0, domains).Select(i => i == 0 && !withoutPolicy ? "example.com" : $"{prefix}{i}.example.net")];
        var expected = withoutPolicy ? PolicyResolutionStatus.NoPolicy : PolicyResolutionStatus.Fetched;
        foreach (var domain in Domains)
        {
            var resolution = Resolver.ResolveAsync(domain).AsTask().GetAwaiter().GetResult();
            if (resolution.Status != expected)
            {
                throw new InvalidOperationException("Setup failed: " + resolution);
            }
        }
    }

    public string[] Domains { get; }

    public PolicyResolver Resolver { get; }

    public MemoryPolicyStore Store { get; }

    public PolicyClock Clock { get; }

    public MtaStsTelemetry Telemetry { get; }

    /// <summary>
    /// Gets the resolver's cached answer for every domain in a bare <see cref="ConcurrentDictionary{TKey, TValue}"/>: the
    /// baseline a cache hit is measured against.
    /// </summary>
    public ConcurrentDictionary<string, PolicyResolution> CopyToDictionary()
    {
        var dictionary = new ConcurrentDictionary<string, PolicyResolution>(StringComparer.Ordinal);
        foreach (var domain in Domains)
        {
            dictionary[domain] = Resolver.ResolveAsync(domain).AsTask().GetAwaiter().GetResult();
        }

        return dictionary;
    }

    public void Dispose()
    {
        Resolver.Dispose();
        Clock.Dispose();
        Telemetry.Dispose();
    }

    private sealed class MemoryDns : IMtaStsDns
    {
        private static readonly Task<TxtLookupResult> Found = Task.FromResult(new TxtLookupResult(DnsLookupStatus.Found, ["v=STSv1; id=20260101"]));
        private static readonly Task<TxtLookupResult> NotFound = Task.FromResult(new TxtLookupResult(DnsLookupStatus.NotFound, []) { TimeToLive = TimeSpan.FromHours(1) });

        public Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken) =>
            name.StartsWith("_mta-sts." + NoPolicyPrefix, StringComparison.Ordinal) ? NotFound : Found;

        public Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken) =>
            Task.FromResult(MxLookupResult.Implicit(domain));

        public Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult(AddressLookupResult.NotFound);
    }

    /// <summary>
    /// Serves what hosting providers serve: most domains use one of a few providers' policies (two or three <c>mx</c>
    /// patterns), each fetched as a fresh string as it would come off the wire; one domain in twenty has its own.
    /// </summary>
    private sealed class MemoryFetcher : IPolicyFetcher
    {
        private static readonly string[] Providers =
        [
            "version: STSv1\nmode: enforce\nmx: *.mail.provider-a.example\nmx: *.mx.provider-a.example\nmax_age: 604800\n",
            "version: STSv1\nmode: enforce\nmx: mx1.provider-b.example\nmx: mx2.provider-b.example\nmx: mx3.provider-b.example\nmax_age: 1209600\n",
            "version: STSv1\nmode: testing\nmx: *.provider-c.example\nmx: backup.provider-c.example\nmax_age: 86400\n",
            "version: STSv1\nmode: enforce\nmx: inbound.provider-d.example\nmx: *.inbound.provider-d.example\nmax_age: 604800\n",
        ];

        public Task<PolicyFetchResult> FetchAsync(string policyDomain, CancellationToken cancellationToken)
        {
            var hash = (uint)StringComparer.Ordinal.GetHashCode(policyDomain);
            var text = hash % 20 == 0
                ? $"version: STSv1\nmode: enforce\nmx: mx1.{policyDomain}\nmx: mx2.{policyDomain}\nmax_age: 604800\n"
                : new string(Providers[hash % Providers.Length].AsSpan());
            return Task.FromResult(PolicyFetchResult.Success(MtaStsPolicy.Parse(text)));
        }
    }
}
