using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>
/// Issue 11, the hot path at MTA scale: cache hits on a cached policy and on a cached "no policy" answer, for one hot
/// domain, 10,000 and 1,000,000 domains, on 1 and 2 threads. Target: ≤ 2× a bare <see cref="ConcurrentDictionary{TKey, TValue}"/>
/// lookup of the same keys in the same run, 0 B, and throughput that scales with cores. Each invocation makes the same
/// total number of lookups split over <see cref="Threads"/> threads, walking the domains in a scattered order.
/// </summary>
[MemoryDiagnoser]
public class ResolverScaleBenchmarks
{
    private const int TotalLookups = 1 << 20;
    private ResolverHarness _harness = null!;
    private ConcurrentDictionary<string, PolicyResolution> _dictionary = null!;

    [Params(1, 10_000, 1_000_000)]
    public int Domains { get; set; }

    [Params(false, true)]
    public bool NoPolicy { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new ResolverHarness(Domains, NoPolicy);
        _dictionary = _harness.CopyToDictionary();
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalLookups)]
    public void ConcurrentDictionary() => Run(useResolver: false);

    [Benchmark(OperationsPerInvoke = TotalLookups)]
    public void ResolveAsync_CacheHit() => Run(useResolver: true);

    private void Run(bool useResolver)
    {
        var perThread = TotalLookups / Threads;
        var names = _harness.Domains;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            // A stride co-prime with every domain count here scatters the walk over the whole table.
            var index = (long)t * 7919;
            for (var i = 0; i < perThread; i++)
            {
                var domain = names[(int)((index + ((long)i * 104_729)) % names.Length)];
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
