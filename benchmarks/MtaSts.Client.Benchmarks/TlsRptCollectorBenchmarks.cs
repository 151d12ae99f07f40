using System.Collections.Concurrent;
using System.Net;
using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>
/// The TLS-RPT collector on the delivery path (issue #9): recording one session's outcome in ≤ 100 ns with no allocation
/// once the domain, day, policy and failure kind have been seen. The baseline is the least a counter per domain costs: a
/// bare <see cref="ConcurrentDictionary{TKey, TValue}"/> increment keyed by the domain.
/// </summary>
[MemoryDiagnoser]
public class TlsRptCollectorBenchmarks
{
    private readonly ConcurrentDictionary<string, long> _baseline = new();
    private TlsRptCollector _collector = null!;
    private MtaStsTelemetry _telemetry = null!;
    private SmtpSessionOutcome _success = null!;
    private SmtpSessionOutcome _failure = null!;
    private SmtpSessionOutcome _noPolicy = null!;
    private SmtpSessionOutcome _reportDelivery = null!;

    [GlobalSetup]
    public void Setup()
    {
        _telemetry = new MtaStsTelemetry(null);
        _collector = new TlsRptCollector(new MemoryTlsReportStore(), TimeProvider.System, new TlsRptTelemetry(_telemetry));
        var policy = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: mx1.example.net\nmx: *.backup.example.net\nmax_age: 604800\n");
        var enforced = new PolicyResolution("example.net", PolicyResolutionStatus.Cached, policy, "id1");
        var now = TimeProvider.System.GetUtcNow();
        _success = new SmtpSessionOutcome("example.net", enforced, "mx1.example.net")
        {
            Succeeded = true,
            SendingAddress = IPAddress.Parse("192.0.2.10"),
            ReceivingAddress = IPAddress.Parse("203.0.113.25"),
            Timestamp = now,
        };
        _failure = new SmtpSessionOutcome("example.net", enforced, "mx1.example.net")
        {
            ResultType = TlsRptResultType.CertificateHostMismatch,
            FailureReasonCode = "san-mismatch",
            SendingAddress = IPAddress.Parse("192.0.2.10"),
            ReceivingAddress = IPAddress.Parse("2001:db8::25"),
            ReceivingHelo = "mx1.example.net",
            Timestamp = now,
        };
        _noPolicy = new SmtpSessionOutcome("example.org", new PolicyResolution("example.org", PolicyResolutionStatus.NoPolicy), "mx.example.org")
        {
            Succeeded = true,
            ReceivingAddress = IPAddress.Parse("203.0.113.26"),
            Timestamp = now,
        };
        _reportDelivery = new SmtpSessionOutcome("example.net", enforced, "mx1.example.net") { Succeeded = true, IsReportDelivery = true, Timestamp = now };

        // Steady state: every key seen once.
        RecordSuccess();
        RecordFailure();
        RecordNoPolicy();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _collector.Dispose();
        _telemetry.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long BareDictionaryIncrement() => _baseline.AddOrUpdate("example.net", 1, static (_, count) => count + 1);

    [Benchmark]
    public void RecordSuccess() => _collector.Record(_success);

    [Benchmark]
    public void RecordFailure() => _collector.Record(_failure);

    [Benchmark]
    public void RecordNoPolicy() => _collector.Record(_noPolicy);

    [Benchmark]
    public void RecordReportDelivery() => _collector.Record(_reportDelivery);
}
