using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace MtaSts.Benchmarks;

/// <summary>A resolver whose DNS and fetch seams answer from memory, pre-filled with cached policies: no I/O is measured.</summary>
internal sealed class ResolverHarness : IDisposable
{
    public ResolverHarness(int domains)
    {
        var options = new MtaStsOptions { RecordCheckInterval = TimeSpan.FromDays(1) };
        Clock = new PolicyClock(TimeProvider.System);
        Store = new MemoryPolicyStore();
        Telemetry = new MtaStsTelemetry(null);
        Resolver = new PolicyResolver(new MemoryDns(), new MemoryFetcher(), Store, options, Clock, Telemetry, NullLogger<PolicyResolver>.Instance);
        Domains = [.. Enumerable.Range(0, domains).Select(i => i == 0 ? "example.com" : $"domain{i}.example.net")];
        foreach (var domain in Domains)
        {
            var resolution = Resolver.ResolveAsync(domain).AsTask().GetAwaiter().GetResult();
            if (resolution.Status != PolicyResolutionStatus.Fetched)
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

    public void Dispose()
    {
        Resolver.Dispose();
        Clock.Dispose();
        Telemetry.Dispose();
    }

    private sealed class MemoryDns : IMtaStsDns
    {
        public Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(new TxtLookupResult(DnsLookupStatus.Found, ["v=STSv1; id=20260101"]));

        public Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken) =>
            Task.FromResult(MxLookupResult.Implicit(domain));

        public Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult(AddressLookupResult.NotFound);
    }

    private sealed class MemoryFetcher : IPolicyFetcher
    {
        private readonly MtaStsPolicy _policy = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n");

        public Task<PolicyFetchResult> FetchAsync(string policyDomain, CancellationToken cancellationToken) =>
            Task.FromResult(PolicyFetchResult.Success(_policy));
    }
}
