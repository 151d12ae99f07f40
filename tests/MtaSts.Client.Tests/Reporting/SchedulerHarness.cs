using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Reporting;

/// <summary>
/// The scheduler with hand-written fakes at its seams (DNS, transports) over an in-memory store, on fake time, with a
/// deterministic clock driver: <see cref="RunUntilAsync"/> wakes the loop at each time it asked for, and waits until it sleeps again.
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Day = new(2025, 3, 1);

    private readonly ReportSchedulerDriver _driver;
    private bool _started;

    public SchedulerHarness(Action<TlsRptOptions>? configure = null, ITlsReportStore? store = null, DateTimeOffset? start = null)
    {
        Options = new TlsRptOptions
        {
            OrganizationName = "Sender Org",
            ContactInfo = "tlsrpt@sender.example",
            InstanceId = "mta1",
            DkimSelector = "sel",
            DkimPrivateKeyPem = "(not used by the fake mail transport)",
        };
        configure?.Invoke(Options);
        Time = new FakeTimeProvider(start ?? Start);
        Store = store ?? new MemoryTlsReportStore();
        Telemetry = new MtaStsTelemetry(null);
        var telemetry = new TlsRptTelemetry(Telemetry);
        Collector = new TlsRptCollector(Store, Time, telemetry);
        Https = new RecordingTransport("https", Time);
        Mail = new RecordingTransport("mailto", Time);
        Sut = new TlsReportScheduler(Collector, Store, new TlsReportBuilder(Options), Dns, [Https, Mail], Options, Time, telemetry, Logger);
        _driver = new ReportSchedulerDriver(Sut, Time);
        Sent = new MetricCollector<long>(Telemetry.Meter, "mtasts.tlsrpt.reports.sent");
        Failed = new MetricCollector<long>(Telemetry.Meter, "mtasts.tlsrpt.reports.failed");
        Suppressed = new MetricCollector<long>(Telemetry.Meter, "mtasts.tlsrpt.reports.suppressed");
        Built = new MetricCollector<long>(Telemetry.Meter, "mtasts.tlsrpt.reports.built");
    }

    public TlsRptOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public ITlsReportStore Store { get; }

    public MtaStsTelemetry Telemetry { get; }

    public FakeDns Dns { get; } = new();

    public FakeLogger<TlsReportScheduler> Logger { get; } = new();

    public TlsRptCollector Collector { get; }

    public RecordingTransport Https { get; }

    public RecordingTransport Mail { get; }

    public TlsReportScheduler Sut { get; }

    public MetricCollector<long> Sent { get; }

    public MetricCollector<long> Failed { get; }

    public MetricCollector<long> Suppressed { get; }

    public MetricCollector<long> Built { get; }

    /// <summary>Publishes <c>_smtp._tls.&lt;domain&gt;</c>.</summary>
    public void PublishRecord(string domain, string rua) => Dns.SetTxt("_smtp._tls." + domain, $"v=TLSRPTv1; rua={rua}");

    /// <summary>Counts one successful session to <paramref name="domain"/> (no policy) at the current fake time.</summary>
    public void RecordSession(string domain, bool failed = false)
    {
        var resolution = Sessions.Under(domain, Sessions.Policy("testing", "mx." + domain));
        Collector.Record(failed
            ? Sessions.Failure(resolution, "mx." + domain, "203.0.113.1", TlsRptResultType.CertificateExpired, "certificate-expired", Time.GetUtcNow())
            : Sessions.Success(resolution, "mx." + domain, "203.0.113.1", Time.GetUtcNow()));
    }

    /// <summary>Starts the loop with its randomness pinned at the middle, and waits until it sleeps.</summary>
    public Task StartAsync()
    {
        _started = true;
        return _driver.StartAsync();
    }

    /// <summary>Moves fake time to <paramref name="target"/>, stopping at every moment the loop wakes up, and waiting until it sleeps again.</summary>
    public Task RunUntilAsync(DateTimeOffset target) => _driver.RunUntilAsync(target);

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await Sut.StopAsync(CancellationToken.None);
        }

        await Sut.DisposeAsync();
        Collector.Dispose();
        Sent.Dispose();
        Failed.Dispose();
        Suppressed.Dispose();
        Built.Dispose();
        Telemetry.Dispose();
    }
}
