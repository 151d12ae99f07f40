using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;

namespace MtaSts.Benchmarks;

/// <summary>
/// The bounded, expiring side tables on <c>Microsoft.Extensions.Caching.Memory</c> (issue #13) against the hand-written
/// <see cref="ConcurrentDictionary{TKey, TValue}"/> tables they replaced, on the paths that read them: the chain-verdict
/// lookup of every MX and policy-host certificate check, and the back-off check of every fetch. Neither is on the
/// policy cache-hit path (<see cref="ResolverCacheHitBenchmarks"/>); the whole per-connection check is
/// <see cref="CertificateCheck_CachedChainVerdict"/>, to be read against a TLS handshake (<see cref="AdapterOverheadBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
public class SideTableBenchmarks
{
    private const string Host = "mx.example.com";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly ConcurrentDictionary<Key, long> _dictionaryChains = new();
    private readonly ConcurrentDictionary<(string, string), long> _dictionaryBackoff = new();
    private MemoryCache _memoryChains = null!;
    private FetchBackoff _backoff = null!;
    private CertificateValidator _validator = null!;
    private X509Certificate2 _root = null!;
    private X509Certificate2 _leaf = null!;
    private Key _key;

    [GlobalSetup]
    public void Setup()
    {
        var time = new FixedTime(Now);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Benchmark Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _root = rootRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=" + Host, leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Host);
        leafRequest.CertificateExtensions.Add(san.Build());
        _leaf = leafRequest.Create(_root, Now.AddDays(-1), Now.AddDays(30), RandomNumberGenerator.GetBytes(8));

        _validator = new CertificateValidator([_root], X509RevocationMode.NoCheck, time);
        if (!_validator.Validate(_leaf, null, Host).IsValid)
        {
            throw new InvalidOperationException("The benchmark certificate does not validate.");
        }

        _key = new Key(1, 2, 3, 4);
        _dictionaryChains[_key] = Now.AddMinutes(10).UtcTicks;
        _memoryChains = SideTable.Create(CertificateValidator.ChainCacheLimit, new TimeProviderClock(time));
        _memoryChains.Set(_key, true, SideTable.ExpiringAt(Now.AddMinutes(10)));
        _backoff = new FetchBackoff(TimeSpan.FromMinutes(5));
        _backoff.RecordFailure("example.com", "id1", Now);
        _dictionaryBackoff[("example.com", "id1")] = Now.AddMinutes(5).UtcTicks;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memoryChains.Dispose();
        _leaf.Dispose();
        _root.Dispose();
    }

    /// <summary>The replaced chain-verdict table: a dictionary lookup and an expiry compare.</summary>
    [Benchmark(Baseline = true)]
    public bool ChainVerdict_ConcurrentDictionary() => _dictionaryChains.TryGetValue(_key, out var until) && Now.UtcTicks < until;

    /// <summary>The same lookup on a MemoryCache side table (size limit, expiry on the injected clock).</summary>
    [Benchmark]
    public bool ChainVerdict_MemoryCache() => _memoryChains.TryGetValue(_key, out _);

    /// <summary>The whole certificate check of one connection with the chain verdict found in the MemoryCache side table.</summary>
    [Benchmark]
    public bool CertificateCheck_CachedChainVerdict() => _validator.Validate(_leaf, null, Host).IsValid;

    /// <summary>The replaced back-off table: a dictionary lookup and an expiry compare.</summary>
    [Benchmark]
    public bool Backoff_ConcurrentDictionary() => _dictionaryBackoff.TryGetValue(("example.com", "id1"), out var until) && Now.UtcTicks < until;

    /// <summary>The back-off check on the MemoryCache side table.</summary>
    [Benchmark]
    public bool Backoff_MemoryCache() => _backoff.IsBackedOff("example.com", "id1", Now);

    private readonly record struct Key(ulong A, ulong B, ulong C, ulong D);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
