using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Reporting;

/// <summary>A collector over an in-memory store, with the builder that turns the store into reports, on fake time.</summary>
internal sealed class CollectorHarness : IDisposable
{
    public CollectorHarness(ITlsReportStore? store = null)
    {
        Options = new TlsRptOptions { OrganizationName = "Sender Org", ContactInfo = "tlsrpt@sender.example", InstanceId = "mta1" };
        Store = store ?? new MemoryTlsReportStore();
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
        Telemetry = new MtaStsTelemetry(null);
        Collector = new TlsRptCollector(Store, Time, new TlsRptTelemetry(Telemetry));
        Builder = new TlsReportBuilder(Options);
    }

    public TlsRptOptions Options { get; }

    public ITlsReportStore Store { get; }

    public FakeTimeProvider Time { get; }

    public MtaStsTelemetry Telemetry { get; }

    public TlsRptCollector Collector { get; }

    public TlsReportBuilder Builder { get; }

    public static DateOnly Day => new(2025, 3, 1);

    public static DateTimeOffset At(int hour, int minute = 0) => new(2025, 3, 1, hour, minute, 0, TimeSpan.Zero);

    public async Task<TlsReport?> ReportAsync(string domain, DateOnly? day = null)
    {
        await Collector.FlushAsync(CancellationToken.None);
        var counters = await Store.GetCountersAsync(day ?? Day, domain);
        return Builder.Build(domain, day ?? Day, counters, out _);
    }

    public void Dispose()
    {
        Collector.Dispose();
        Telemetry.Dispose();
    }
}
