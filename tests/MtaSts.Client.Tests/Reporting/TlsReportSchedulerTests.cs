using System.IO.Compression;
using static MtaSts.Tests.Reporting.SchedulerHarness;

namespace MtaSts.Tests.Reporting;

/// <summary>
/// When reports go out and where (RFC 8460 §3, §4.1, §5.5, §7): after the UTC day within the delay window, to each usable
/// <c>rua</c> on its own, retried with back-off for 24 hours, marked sent before queued, rate-limited and suppressed per
/// destination; on fake time with fakes at the DNS and transport seams.
/// </summary>
public sealed class TlsReportSchedulerTests
{
    private const string Domain = "example.net";
    private static readonly DateTimeOffset Midnight = new(2025, 3, 2, 0, 0, 0, TimeSpan.Zero);

    // The delay window is 4 h and the randomness pinned to 0.5: reports of 1 March are due at 02:00 on 2 March.
    private static readonly DateTimeOffset Due = Midnight.AddHours(2);

    [Fact]
    public async Task DayCloses_ReportSentAtItsMomentInTheDelayWindowNotBefore()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddSeconds(-1));
        Assert.Empty(h.Https.Calls);

        await h.RunUntilAsync(Due);

        var (submission, at) = Assert.Single(h.Https.Calls);
        Assert.Equal(Due, at);
        Assert.Equal(new Uri("https://reports.example.net/v1/tlsrpt"), submission.Destination);
        Assert.Null(submission.RecipientAddress);
        Assert.Equal((Domain, "sender.example"), (submission.PolicyDomain, submission.SubmitterDomain));

        // K.91: the file name's timestamps are the date-range's, in Unix seconds.
        Assert.Equal("sender.example!example.net!1740787200!1740873600!mta1.json.gz", submission.FileName);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1740787200), submission.Report.StartDateTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1740873600), submission.Report.EndDateTime);
        var report = TlsReport.Parse(Gunzip(submission.GzipContent));
        Assert.Equal(submission.Report.ToString(), report.ToString());
        Assert.Equal(1, report.Policies[0].TotalSuccessfulSessionCount);
        Assert.Equal(1, h.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, h.Built.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task DayCloses_NoTlsRptRecord_NothingSentNothingMarked()
    {
        await using var h = new SchedulerHarness();
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Midnight.AddHours(5));

        Assert.Empty(h.Https.Calls);
        Assert.Empty(h.Mail.Calls);
        Assert.True(await h.Store.TryMarkReportSentAsync(Day, Domain));
        Assert.Equal(0, h.Built.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task DayCloses_NoSessions_NoReport()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.StartAsync();

        await h.RunUntilAsync(Midnight.AddHours(5));

        Assert.Empty(h.Https.Calls);
    }

    [Fact]
    public async Task Deliver_OneDestinationFailsPermanently_TheOthersStillGetTheReport()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt,mailto:tls%21rpt@example.net,mailto:other@example.org");
        h.Https.Respond = (_, _) => TlsReportDeliveryResult.PermanentFailure("http-status-404");
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddHours(1));

        Assert.Single(h.Https.Calls);
        Assert.Equal(["other@example.org", "tls!rpt@example.net"], h.Mail.Calls.Select(c => c.Submission.RecipientAddress!).Order(StringComparer.Ordinal));
        Assert.Equal(2, h.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
        var failed = Assert.Single(h.Failed.GetMeasurementSnapshot());
        Assert.Equal(("https", "permanent_failure"), ((string)failed.Tags["mtasts.tlsrpt.transport"]!, (string)failed.Tags["error.type"]!));
    }

    [Fact]
    public async Task Deliver_SameUriListedTwice_SentOnce()
    {
        await using var h = new SchedulerHarness();
        h.Dns.SetTxt("_smtp._tls." + Domain, "v=TLSRPTv1; rua=https://reports.example.net/r,mailto:t@example.net; rua=https://reports.example.net/r,mailto:t@example.net");
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddHours(1));

        Assert.Single(h.Https.Calls);
        Assert.Single(h.Mail.Calls);
    }

    [Fact]
    public async Task Deliver_DestinationDownAllDay_RetriedWithExponentialBackoffThenGivesUpAt24Hours()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        h.Https.Respond = (_, _) => TlsReportDeliveryResult.TemporaryFailure("http-status-503");
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddDays(2));

        // 5, 10, 20, 40, 80 and 160 minutes, then the 4 h cap, and a last attempt at the end of the 24 h window (RFC 8460 §5.5).
        int[] minutes = [0, 5, 15, 35, 75, 155, 315, 555, 795, 1035, 1275, 1440];
        Assert.Equal(minutes.Select(m => Due.AddMinutes(m)), h.Https.Calls.Select(c => c.At));
        var failed = Assert.Single(h.Failed.GetMeasurementSnapshot());
        Assert.Equal("retries_exhausted", failed.Tags["error.type"]);
        Assert.Contains(h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 309 && r.Message.Contains("after 12 attempt(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deliver_TemporaryFailureThenAccepted_StopsRetrying()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        h.Https.Respond = (_, n) => n == 1 ? TlsReportDeliveryResult.TemporaryFailure("http-status-500") : TlsReportDeliveryResult.Delivered("http-status-200");
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddDays(1));

        Assert.Equal([Due, Due.AddMinutes(5)], h.Https.Calls.Select(c => c.At));
        Assert.Equal(1, h.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Empty(h.Failed.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Deliver_ReportAlreadyMarkedSent_NotSentAgain()
    {
        // A crash after marking, or a second process sharing the store: at most once.
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.StartAsync();
        h.RecordSession(Domain);
        Assert.True(await h.Store.TryMarkReportSentAsync(Day, Domain));

        await h.RunUntilAsync(Due.AddHours(1));

        Assert.Empty(h.Https.Calls);
        Assert.Contains(h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 306);
    }

    [Fact]
    public async Task DayCloses_TwoProcessesSharingOneStore_OneReportForTheirAddedUpCounts()
    {
        // The fleet decision: processes sharing a store (one SQLite file) count together and send one report.
        var store = new MemoryTlsReportStore();
        await using var first = new SchedulerHarness(store: store);
        await using var second = new SchedulerHarness(store: store);
        first.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        second.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await first.StartAsync();
        await second.StartAsync();
        first.RecordSession(Domain);
        second.RecordSession(Domain);
        second.RecordSession(Domain);

        // Each harness has a clock of its own: the second process's periodic flush, as it happens before the report is due.
        await second.Collector.FlushAsync(CancellationToken.None);
        await first.RunUntilAsync(Due);
        await second.RunUntilAsync(Due);

        var call = Assert.Single(first.Https.Calls.Concat(second.Https.Calls));
        Assert.Equal(3, call.Submission.Report.Policies[0].TotalSuccessfulSessionCount);
    }

    [Fact]
    public async Task Deliver_AtDeliveryTime_ReportIsAlreadyMarkedSent()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        bool? markedBefore = null;
        h.Https.OnDeliver = async s => markedBefore = !await h.Store.TryMarkReportSentAsync(Day, s.PolicyDomain);
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due);

        Assert.True(markedBefore);
    }

    [Fact]
    public async Task Deliver_MoreReportsForOneDestinationThanTheRateLimit_TheRestDropped()
    {
        await using var h = new SchedulerHarness(o => o.MaxReportsPerDestinationPerDay = 2);
        foreach (var domain in (string[])["a.example", "b.example", "c.example"])
        {
            // Different addresses and paths, one victim: the limit is per mail domain or HTTPS host.
            h.PublishRecord(domain, $"mailto:{domain[0]}@victim.example");
            h.RecordSession(domain);
        }

        await h.StartAsync();
        await h.RunUntilAsync(Midnight.AddHours(5));

        Assert.Equal(2, h.Mail.Calls.Count);
        var suppressed = Assert.Single(h.Suppressed.GetMeasurementSnapshot());
        Assert.Equal("rate_limited", suppressed.Tags["mtasts.tlsrpt.reason"]);
    }

    [Fact]
    public async Task Deliver_DestinationKeepsFailing_SuppressedForThePeriodThenTriedAgain()
    {
        await using var h = new SchedulerHarness(o =>
        {
            o.SuppressAfterFailures = 1;
            o.SuppressionPeriod = TimeSpan.FromDays(2);
        });
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        h.Https.Respond = (_, _) => TlsReportDeliveryResult.PermanentFailure("http-status-410");
        await h.StartAsync();
        h.RecordSession(Domain);
        await h.RunUntilAsync(Due);
        Assert.True(h.Sut.Limiter.IsSuppressed("https:reports.example.net:443", h.Time.GetUtcNow()));

        h.RecordSession(Domain); // 2 March: suppressed on 3 March
        await h.RunUntilAsync(Due.AddDays(1));
        Assert.Single(h.Https.Calls);
        Assert.Equal("suppressed", Assert.Single(h.Suppressed.GetMeasurementSnapshot()).Tags["mtasts.tlsrpt.reason"]);

        h.RecordSession(Domain); // 3 March: the suppression has ended on 4 March at 02:00
        await h.RunUntilAsync(Due.AddDays(2));
        Assert.Equal(2, h.Https.Calls.Count);
    }

    [Fact]
    public async Task DayCloses_ReportOnlyDaysWithFailures_QuietDaySkippedFailingDaySent()
    {
        await using var h = new SchedulerHarness(o => o.ReportOnlyDaysWithFailures = true);
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.StartAsync();
        h.RecordSession(Domain);
        await h.RunUntilAsync(Due.AddHours(1));
        Assert.Empty(h.Https.Calls);

        h.RecordSession(Domain, failed: true);
        await h.RunUntilAsync(Due.AddDays(1).AddHours(1));

        var call = Assert.Single(h.Https.Calls);
        Assert.Equal(new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero), call.Submission.Report.StartDateTime);
    }

    [Fact]
    public async Task DayCloses_UnusableRuaUris_IgnoredAndLogged()
    {
        await using var h = new SchedulerHarness(o => o.Transports = TlsReportTransports.Https);
        h.PublishRecord(Domain, "ftp://reports.example.net/x,mailto:a@example.net!10m,https://192.0.2.80/r,https://reports.example.net/ok,mailto:tlsrpt@example.net");
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddHours(1));

        Assert.Equal(new Uri("https://reports.example.net/ok"), Assert.Single(h.Https.Calls).Submission.Destination);
        Assert.Empty(h.Mail.Calls);
        var logs = h.Logger.Collector.GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 304 && r.Message.Contains("ftp://reports.example.net/x", StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Id.Id == 304 && r.Message.Contains("mailto:a@example.net!10m", StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Id.Id == 304 && r.Message.Contains("https://192.0.2.80/r", StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Id.Id == 305);
        Assert.Equal("transport_disabled", Assert.Single(h.Suppressed.GetMeasurementSnapshot()).Tags["mtasts.tlsrpt.reason"]);
    }

    [Fact]
    public async Task DayCloses_RecordLookupFailsTemporarily_LookedUpAgainAndSent()
    {
        await using var h = new SchedulerHarness();
        h.Dns.SetTxtFailure("_smtp._tls." + Domain);
        await h.StartAsync();
        h.RecordSession(Domain);
        await h.RunUntilAsync(Due);
        Assert.Empty(h.Https.Calls);

        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.RunUntilAsync(Due.AddMinutes(5));

        Assert.Equal(Due.AddMinutes(5), Assert.Single(h.Https.Calls).At);
        Assert.Contains(h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 302);
    }

    [Fact]
    public async Task DayCloses_StoreUnreadableAtMidnight_TriedAgainWithinMinutes()
    {
        var store = new FlakyStore();
        await using var h = new SchedulerHarness(store: store);
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.StartAsync();
        h.RecordSession(Domain);
        await h.RunUntilAsync(Midnight.AddSeconds(-1));
        store.FailedDayReads = 2; // both closed days, read at midnight

        await h.RunUntilAsync(Due);

        Assert.Equal(Due, Assert.Single(h.Https.Calls).At);
        Assert.Contains(h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 314);
    }

    [Fact]
    public async Task StartAsync_AfterDowntime_YesterdaysStoredCountsReported()
    {
        var store = new MemoryTlsReportStore();
        await using (var before = new SchedulerHarness(store: store))
        {
            before.RecordSession(Domain);
            await before.Collector.FlushAsync(CancellationToken.None);
        }

        // Down from 1 March 08:00 until 2 March 10:00, after the window.
        await using var h = new SchedulerHarness(store: store, start: Midnight.AddHours(10));
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        await h.StartAsync();
        await h.RunUntilAsync(Midnight.AddHours(11));

        var call = Assert.Single(h.Https.Calls);
        Assert.Equal(Midnight.AddHours(10), call.At);
        Assert.Equal(1, call.Submission.Report.Policies[0].TotalSuccessfulSessionCount);
    }

    [Fact]
    public async Task Loop_EveryFlushInterval_CountsReachTheStore()
    {
        await using var h = new SchedulerHarness(o => o.FlushInterval = TimeSpan.FromMinutes(1));
        await h.StartAsync();
        h.RecordSession(Domain);
        Assert.Empty(await h.Store.GetCountersAsync(Day));

        await h.RunUntilAsync(Start.AddMinutes(1));

        Assert.Single(await h.Store.GetCountersAsync(Day));
    }

    [Fact]
    public async Task StopAsync_CountsInMemory_WrittenToTheStore()
    {
        var h = new SchedulerHarness();
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.DisposeAsync();

        Assert.Single(await h.Store.GetCountersAsync(Day));
    }

    [Fact]
    public async Task StartAsync_MailEnabledWithoutMailTransport_ThrowsNamingTheFix()
    {
        var options = new TlsRptOptions { OrganizationName = "O", ContactInfo = "r@sender.example", Transports = TlsReportTransports.All };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var telemetry = new MtaStsTelemetry(null);
        var store = new MemoryTlsReportStore();
        using var collector = new TlsRptCollector(store, time, new TlsRptTelemetry(telemetry));
        await using var sut = new TlsReportScheduler(
            collector, store, new TlsReportBuilder(options), new Fakes.FakeDns(), [new RecordingTransport("https", time)], options, time,
            new TlsRptTelemetry(telemetry), Microsoft.Extensions.Logging.Abstractions.NullLogger<TlsReportScheduler>.Instance);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => sut.StartAsync(CancellationToken.None));

        Assert.Contains("AddTlsReportMail()", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TlsReportTransports.Https", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_TransportThrows_RetriedAsATemporaryFailure()
    {
        await using var h = new SchedulerHarness();
        h.PublishRecord(Domain, "https://reports.example.net/v1/tlsrpt");
        h.Https.Respond = (_, n) => n == 1 ? throw new InvalidOperationException("bug") : TlsReportDeliveryResult.Delivered();
        await h.StartAsync();
        h.RecordSession(Domain);

        await h.RunUntilAsync(Due.AddHours(1));

        Assert.Equal(2, h.Https.Calls.Count);
        Assert.Equal(1, h.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    /// <summary>A memory store whose reads of a whole day fail a given number of times.</summary>
    private sealed class FlakyStore : ITlsReportStore
    {
        private readonly MemoryTlsReportStore _inner = new();

        public int FailedDayReads { get; set; }

        public ValueTask AddCountersAsync(IReadOnlyList<TlsReportCounter> counters, CancellationToken cancellationToken = default) =>
            _inner.AddCountersAsync(counters, cancellationToken);

        public ValueTask<IReadOnlyList<TlsReportCounter>> GetCountersAsync(DateOnly day, string? policyDomain = null, CancellationToken cancellationToken = default)
        {
            if (policyDomain is null && FailedDayReads > 0)
            {
                FailedDayReads--;
                throw new IOException("database is locked");
            }

            return _inner.GetCountersAsync(day, policyDomain, cancellationToken);
        }

        public ValueTask<bool> TryMarkReportSentAsync(DateOnly day, string policyDomain, CancellationToken cancellationToken = default) =>
            _inner.TryMarkReportSentAsync(day, policyDomain, cancellationToken);

        public ValueTask RemoveBeforeAsync(DateOnly day, CancellationToken cancellationToken = default) =>
            _inner.RemoveBeforeAsync(day, cancellationToken);
    }

    private static byte[] Gunzip(ReadOnlyMemory<byte> content)
    {
        using var gzip = new GZipStream(new MemoryStream(content.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
