using System.Reflection;
using Microsoft.Extensions.Logging;

namespace MtaSts.Tests.Reporting;

/// <summary>Every TLS-RPT log event and instrument is in <c>docs/telemetry.md</c>, with its id in the 300–349 range.</summary>
public sealed class TlsRptTelemetryDocsTests
{
    [Fact]
    public void LogEvents_OfTheScheduler_DocumentedWithIdAndNameInTheirRange()
    {
        var docs = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "telemetry.md"));
        var events = typeof(TlsReportScheduler).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToList();

        Assert.NotEmpty(events);
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(events, e =>
        {
            Assert.InRange(e.EventId, 300, 349);
            Assert.Contains($"| {e.EventId} | `{e.EventName}` | {e.Level} |", docs, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Instruments_OfTlsReporting_Documented()
    {
        var docs = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "docs", "telemetry.md"));
        using var telemetry = new MtaStsTelemetry(null);
        var names = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, telemetry.Meter) && instrument.Name.StartsWith("mtasts.tlsrpt.", StringComparison.Ordinal))
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();

        _ = new TlsRptTelemetry(telemetry);

        Assert.Equal(7, names.Count);
        Assert.All(names, n => Assert.Contains($"| `{n}` |", docs, StringComparison.Ordinal));
    }
}
