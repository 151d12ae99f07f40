using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static MtaSts.Tests.Reporting.Sessions;

namespace MtaSts.Tests.Reporting;

/// <summary>
/// A day of mixed traffic — enforce, testing and no policy, every MTA-STS result type, policy failures, report deliveries
/// mixed in, sessions on the days around it — fed through the registered sink on fake time, produces exactly the
/// reports written by hand in <c>Expected/mixed-day.json</c> from RFC 8460's rules, compared field by field.
/// </summary>
public sealed class MixedTrafficDayTests
{
    private static readonly DateOnly Day = new(2025, 3, 1);

    [Fact]
    public async Task GenerateReportAsync_DayOfMixedTraffic_EqualsTheHandWrittenReports()
    {
        var time = new FakeTimeProvider(At(0, 5));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddMtaSts().AddTlsReporting(o =>
        {
            o.OrganizationName = "Sender Org";
            o.ContactInfo = "tlsrpt@sender.example";
            o.InstanceId = "mta1";
            o.Transports = TlsReportTransports.Https;
        });
        await using var provider = services.BuildServiceProvider();
        var sink = Assert.Single(provider.GetServices<ISmtpSessionOutcomeSink>());
        var sut = provider.GetRequiredService<ITlsReportGenerator>();

        foreach (var outcome in Traffic())
        {
            time.SetUtcNow(outcome.Timestamp < time.GetUtcNow() ? time.GetUtcNow() : outcome.Timestamp);
            sink.Record(outcome);
        }

        var expected = ExpectedReports();
        Assert.Equal(expected.Select(r => r.Policies[0].PolicyDomain!), await sut.ListPolicyDomainsAsync(Day));
        foreach (var report in expected)
        {
            var actual = await sut.GenerateReportAsync(report.Policies[0].PolicyDomain!, Day);
            Assert.NotNull(actual);
            ReportAssert.Equivalent(report, actual);
        }

        Assert.Null(await sut.GenerateReportAsync("reports.example", Day));
    }

    private static IEnumerable<SmtpSessionOutcome> Traffic()
    {
        var enforce = Under("enforce.example", Policy("enforce", "mx1.enforce.example", "mx2.enforce.example"));
        var testing = Under("testing.example", Policy("testing", "*.testing.example"));
        var none = NoPolicy("nopolicy.example");
        var fetchError = NoPolicy("fetcherror.example", TlsRptResultType.StsPolicyFetchError, "http-status-404");
        var invalid = NoPolicy("invalid.example", TlsRptResultType.StsPolicyInvalid, "policy-syntax-line-2: mode");
        var webPki = Under("webpki.example", Policy("enforce", "mail.webpki.example"), TlsRptResultType.StsWebPkiInvalid, "untrusted-root");
        var reports = Under("reports.example", Policy("enforce", "mx.reports.example"));

        // The evening before: another day's report.
        yield return Success(enforce, "mx1.enforce.example", "203.0.113.10", new DateTimeOffset(2025, 2, 28, 23, 59, 59, TimeSpan.Zero));

        yield return Success(enforce, "mx1.enforce.example", "203.0.113.10", At(0, 10));
        yield return Success(none, "mx.nopolicy.example", "198.51.100.30", At(0, 30));
        yield return Failure(enforce, "mx2.enforce.example", "203.0.113.11", TlsRptResultType.CertificateExpired, "certificate-expired", At(1));
        yield return Success(testing, "mx.testing.example", "198.51.100.20", At(1, 30));
        yield return ReportDelivery(reports, "mx.reports.example", succeeded: false, At(2));
        yield return Failure(enforce, "mx2.enforce.example", "203.0.113.11", TlsRptResultType.CertificateHostMismatch, "san-mismatch", At(3));
        yield return Success(fetchError, "mx.fetcherror.example", "198.51.100.40", At(3, 15));
        yield return Failure(testing, "mx.testing.example", "2001:db8::20", TlsRptResultType.ValidationFailure, "tls-handshake-failed: AuthenticationException", At(4));
        yield return Success(none, "mx.nopolicy.example", "198.51.100.30", At(4, 30));
        yield return Failure(enforce, "mx2.enforce.example", "203.0.113.11", TlsRptResultType.CertificateNotTrusted, "untrusted-root", At(5));
        yield return ReportDelivery(enforce, "mx2.enforce.example", succeeded: false, At(5, 30));
        yield return Failure(testing, "mx.testing.example", "198.51.100.21", TlsRptResultType.CertificateExpired, "certificate-expired", At(6));
        yield return WithoutTls(enforce, "mx1.enforce.example", "203.0.113.10", At(6, 30)); // transient: not counted
        yield return Failure(enforce, "mx1.enforce.example", "203.0.113.10", TlsRptResultType.StartTlsNotSupported, "starttls-not-supported", At(7), helo: "mx1.enforce.example");
        yield return Success(invalid, "mx.invalid.example", "198.51.100.45", At(7, 30));
        yield return new SmtpSessionOutcome("enforce.example", enforce, "rogue.enforce.example")
        {
            ResultType = TlsRptResultType.ValidationFailure,
            FailureReasonCode = "mx-not-in-policy",
            Timestamp = At(8),
        };
        yield return Success(webPki, "mail.webpki.example", "198.51.100.50", At(9));
        yield return WithoutTls(none, "mx.nopolicy.example", "198.51.100.30", At(10));
        yield return ReportDelivery(none, "mx.nopolicy.example", succeeded: false, At(11));
        yield return Success(testing, "mx.testing.example", "198.51.100.20", At(12));
        yield return WithoutTls(fetchError, "mx.fetcherror.example", "198.51.100.40", At(13));
        yield return Success(enforce, "mx1.enforce.example", "203.0.113.10", At(14));
        yield return Failure(testing, "mx.testing.example", "198.51.100.21", TlsRptResultType.CertificateExpired, "certificate-expired", At(15));
        yield return ReportDelivery(reports, "mx.reports.example", succeeded: true, At(16));
        yield return Success(none, "mx.nopolicy.example", "198.51.100.30", At(17));
        yield return Success(none, "mx.nopolicy.example", "198.51.100.30", At(20));
        yield return Success(enforce, "mx1.enforce.example", "203.0.113.10", At(23, 59));

        // Just after midnight: the next day's report.
        yield return Failure(enforce, "mx2.enforce.example", "203.0.113.11", TlsRptResultType.CertificateExpired, "certificate-expired", new DateTimeOffset(2025, 3, 2, 0, 0, 1, TimeSpan.Zero));
    }

    private static SmtpSessionOutcome ReportDelivery(PolicyResolution resolution, string mx, bool succeeded, DateTimeOffset at) =>
        new(resolution.PolicyDomain, resolution, mx) { Succeeded = succeeded, IsReportDelivery = true, Timestamp = at };

    private static DateTimeOffset At(int hour, int minute = 0) => new(2025, 3, 1, hour, minute, 0, TimeSpan.Zero);

    private static List<TlsReport> ExpectedReports()
    {
        var text = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reporting", "Expected", "mixed-day.json"));
        using var document = JsonDocument.Parse(text);
        return [.. document.RootElement.EnumerateArray().Select(e => TlsReport.Parse(System.Text.Encoding.UTF8.GetBytes(e.GetRawText())))];
    }
}
