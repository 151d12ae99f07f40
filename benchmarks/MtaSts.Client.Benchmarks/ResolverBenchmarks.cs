using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;

namespace MtaSts.Benchmarks;

/// <summary>
/// The cache-hit path of <c>ResolveAsync</c> (issue #3 target: ≤ 2× a bare <see cref="ConcurrentDictionary{TKey, TValue}"/>
/// lookup of the same key, 0 bytes). <see cref="IMemoryCache"/> is measured beside it because the design started from
/// it; it is not on the hot path (see README, Performance).
/// </summary>
[MemoryDiagnoser]
public class ResolverCacheHitBenchmarks
{
    private const string Domain = "example.com";
    private readonly ConcurrentDictionary<string, PolicyResolution> _dictionary = new(StringComparer.Ordinal);
    private ResolverHarness _harness = null!;
    private MemoryCache _memoryCache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _harness = new ResolverHarness(1);
        var resolution = _harness.Resolver.ResolveAsync(Domain).AsTask().GetAwaiter().GetResult();
        _dictionary[Domain] = resolution;
        _memoryCache = new MemoryCache(new MemoryCacheOptions());
        _memoryCache.Set(Domain, resolution, TimeSpan.FromDays(1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _harness.Dispose();
        _memoryCache.Dispose();
    }

    [Benchmark(Baseline = true)]
    public PolicyResolution? ConcurrentDictionaryTryGetValue() => _dictionary.TryGetValue(Domain, out var r) ? r : null;

    [Benchmark]
    public PolicyResolution ResolveAsync_CacheHit()
    {
        var pending = _harness.Resolver.ResolveAsync(Domain);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("Not a cache hit.");
    }

    [Benchmark]
    public PolicyResolution? MemoryCacheTryGetValue() => _memoryCache.TryGetValue(Domain, out PolicyResolution? r) ? r : null;
}

/// <summary>
/// Cache hits from every core at once (issue #3: no lock convoy, throughput scales with cores). Each invocation does
/// the same total number of lookups split over <see cref="Threads"/> threads: with 2 threads on 2 cores the time per
/// lookup should halve. <c>HotDomain</c> hammers one entry; <c>DistinctDomains</c> spreads over 10,000.
/// </summary>
[MemoryDiagnoser]
public class ResolverContentionBenchmarks
{
    private const int TotalLookups = 1 << 20;
    private ResolverHarness _harness = null!;
    private ConcurrentDictionary<string, PolicyResolution> _dictionary = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new ResolverHarness(10_000);
        _dictionary = _harness.CopyToDictionary();
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalLookups)]
    public void DictionaryDistinctDomains() => Run(domains: true, useResolver: false);

    [Benchmark(OperationsPerInvoke = TotalLookups)]
    public void HotDomain() => Run(domains: false, useResolver: true);

    [Benchmark(OperationsPerInvoke = TotalLookups)]
    public void DistinctDomains() => Run(domains: true, useResolver: true);

    private void Run(bool domains, bool useResolver)
    {
        var perThread = TotalLookups / Threads;
        var names = _harness.Domains;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var index = t * 7919;
            for (var i = 0; i < perThread; i++)
            {
                var domain = domains ? names[(index + i) % names.Length] : names[0];
                if (useResolver)
                {
                    if (!_harness.Resolver.ResolveAsync(domain).IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("Not a cache hit.");
                    }
                }
                else if (!_dictionary.TryGetValue(domain, out _))
                {
                    throw new InvalidOperationException("Missing.");
                }
            }
        });
    }
}
