using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.Sqlite.Tests.Reporting;

/// <summary>
/// With the SQLite report store, the day's counts survive the process: a restart in the middle of the day loses none, and
/// a crash loses only what came after the last flush. Dependency injection as an application wires it, on fake time.
/// </summary>
public sealed class TlsReportRestartTests : IDisposable
{
    private const string Domain = "example.net";
    private static readonly DateOnly Day = new(2025, 3, 1);
    private readonly TempDatabase _db = new("mta-sts.db");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Restart_InTheMiddleOfTheDay_LosesNoCounts()
    {
        await using (var first = await Process.StartAsync(_db.Path, _time))
        {
            first.Record(succeeded: true, count: 3);
            first.Record(succeeded: false, count: 1);
            await first.StopAsync();
        }

        _time.Advance(TimeSpan.FromHours(4));
        await using var second = await Process.StartAsync(_db.Path, _time);
        second.Record(succeeded: true, count: 2);
        second.Record(succeeded: false, count: 1);

        var report = await second.Generator.GenerateReportAsync(Domain, Day);

        var policy = Assert.Single(report!.Policies);
        Assert.Equal((5L, 2L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        Assert.Equal(2, Assert.Single(policy.FailureDetails).FailedSessionCount);
        await second.StopAsync();
    }

    [Fact]
    public async Task Crash_AfterAFlush_OnlyTheCountsSinceTheFlushAreLost()
    {
        await using (var first = await Process.StartAsync(_db.Path, _time))
        {
            first.Record(succeeded: true, count: 3);
            await first.RunUntilAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(30));
            first.Record(succeeded: true, count: 1);

            // Disposed without StopAsync: the loop is cancelled and nothing more is written, as when the process dies.
        }

        await using var second = await Process.StartAsync(_db.Path, _time);

        Assert.Equal(3, (await second.Generator.GenerateReportAsync(Domain, Day))!.Policies[0].TotalSuccessfulSessionCount);
        await second.StopAsync();
    }

    /// <summary>One run of the reporting part of an application, over the database file.</summary>
    private sealed class Process : ReportingHost
    {
        private Process(ServiceProvider provider, FakeTimeProvider time)
            : base(provider, time, stopOnDispose: false)
        {
            Sink = Services.GetServices<ISmtpSessionOutcomeSink>().Single();
        }

        public ISmtpSessionOutcomeSink Sink { get; }

        public static async Task<Process> StartAsync(string path, FakeTimeProvider time)
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            services.AddMtaSts()
                .AddTlsReporting(o =>
                {
                    o.OrganizationName = "Sender Org";
                    o.ContactInfo = "tlsrpt@sender.example";
                    o.Transports = TlsReportTransports.Https;
                })
                .AddSqliteTlsReportStore(path);
            return await StartAsync(new Process(services.BuildServiceProvider(), time));
        }

        public void Record(bool succeeded, int count)
        {
            var testing = MtaStsPolicy.Parse("version: STSv1\nmode: testing\nmx: mx.example.net\nmax_age: 86400\n");
            for (var i = 0; i < count; i++)
            {
                Sink.Record(new SmtpSessionOutcome(Domain, new PolicyResolution(Domain, PolicyResolutionStatus.Cached, testing, "id1"), "mx.example.net")
                {
                    Succeeded = succeeded,
                    ResultType = succeeded ? null : TlsRptResultType.CertificateExpired,
                    FailureReasonCode = succeeded ? null : "certificate-expired",
                    SendingAddress = IPAddress.Loopback,
                    ReceivingAddress = IPAddress.Loopback,
                    Timestamp = Time.GetUtcNow(),
                });
            }
        }
    }
}
