using System.IO.Compression;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Reporting;

/// <summary>
/// TLS reports POSTed to a real Kestrel HTTPS receiver (RFC 8460 §5.4, checklist K.94), found through the real Knot
/// server's <c>_smtp._tls</c> record, on fake time: 200 and 201 are success, 500 is retried, a receiver down all day is
/// given up after 24 hours, a 4xx is not success, redirects are not followed, and the SSRF guard and certificate checks apply.
/// </summary>
[Collection(MtaStsCollection.Name)]
public sealed class HttpsReportDeliveryTests(MtaStsEnvironment env) : IAsyncLifetime
{
    private ReportReceiverServer _server = null!;

    public async Task InitializeAsync() => _server = await ReportReceiverServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    public async Task Deliver_Receiver2xx_OneGzippedJsonPostAndSent(int status)
    {
        var (domain, host) = await PublishAsync();
        _server.SetStatus(host, _ => status);
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due);

        var request = Assert.Single(_server.RequestsFor(host));
        Assert.Equal(("POST", "/v1/tlsrpt", "application/tlsrpt+gzip"), (request.Method, request.Path, request.ContentType));
        var report = TlsReport.Parse(Gunzip(request.Body));
        var expected = await reporter.Generator.GenerateReportAsync(domain, reporter.Day);
        Assert.Equal(expected!.ToString(), report.ToString());
        Assert.Equal((2L, 1L), (report.Policies[0].TotalSuccessfulSessionCount, report.Policies[0].TotalFailureSessionCount));
        Assert.Equal(1, reporter.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Deliver_Receiver500ThenOk_RetriedAfterTheFirstBackoff()
    {
        var (domain, host) = await PublishAsync();
        _server.SetStatus(host, n => n == 1 ? 500 : 200);
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddHours(1));

        Assert.Equal(2, _server.RequestsFor(host).Count);
        Assert.Equal(_server.RequestsFor(host)[0].Body, _server.RequestsFor(host)[1].Body);
        Assert.Equal(1, reporter.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Empty(reporter.Failed.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Deliver_ReceiverAnswers503AllDay_GivesUpAfter24HoursOfFakeTime()
    {
        var (domain, host) = await PublishAsync();
        _server.SetStatus(host, _ => 503);
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddHours(23));
        var beforeTheEnd = _server.RequestsFor(host).Count;
        await reporter.RunUntilAsync(reporter.Due.AddDays(3));

        Assert.Equal(11, beforeTheEnd);
        Assert.Equal(12, _server.RequestsFor(host).Count);
        var failed = Assert.Single(reporter.Failed.GetMeasurementSnapshot());
        Assert.Equal("retries_exhausted", failed.Tags["error.type"]);
        Assert.Empty(reporter.Sent.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Deliver_NothingListensForADay_GivesUpAfter24Hours()
    {
        var (domain, _) = await PublishAsync(port: FreePort.GetTcpPort());
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddDays(3));

        Assert.Equal(12, reporter.Attempts.GetMeasurementSnapshot().Where(m => (string?)m.Tags["mtasts.outcome"] == "temporary_failure").Sum(m => m.Value));
        Assert.Equal("retries_exhausted", Assert.Single(reporter.Failed.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(413)]
    public async Task Deliver_Receiver4xx_NotSuccessAndNotRetried(int status)
    {
        var (domain, host) = await PublishAsync();
        _server.SetStatus(host, _ => status);
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddDays(2));

        Assert.Single(_server.RequestsFor(host));
        Assert.Empty(reporter.Sent.GetMeasurementSnapshot());
        Assert.Equal("permanent_failure", Assert.Single(reporter.Failed.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    [Fact]
    public async Task Deliver_ReceiverRedirects_NotFollowedAndNotSuccess()
    {
        var (domain, host) = await PublishAsync();
        var (_, target) = await PublishAsync();
        _server.SetRedirect(host, 307, $"https://{target}:{_server.Port}/v1/tlsrpt");
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddDays(2));

        Assert.Single(_server.RequestsFor(host));
        Assert.Empty(_server.RequestsFor(target));
        Assert.Empty(reporter.Sent.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Deliver_ReportHostResolvesToLoopbackWithoutAllowPrivateAddresses_RefusedWithoutConnecting()
    {
        // The SSRF guard of the policy fetch (Decision 21) applies to report endpoints: a rua cannot point inside.
        var (domain, host) = await PublishAsync();
        await using var reporter = await Reporter.StartAsync(env, allowPrivateAddresses: false);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddDays(2));

        Assert.Empty(_server.RequestsFor(host));
        Assert.Equal("permanent_failure", Assert.Single(reporter.Failed.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    [Fact]
    public async Task Deliver_ReceiverCertificateSelfSigned_NotSent()
    {
        // RFC 8460 §3 allows ignoring certificate errors (MAY); this sender does not: the policy host's checks apply.
        var (domain, host) = await PublishAsync(certificate: TestCertificateAuthority.CreateSelfSignedServerCertificate("reports.invalid"));
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due.AddMinutes(30));

        Assert.Empty(_server.RequestsFor(host));
        Assert.Empty(reporter.Sent.GetMeasurementSnapshot());
        Assert.True(reporter.Attempts.GetMeasurementSnapshot().Sum(m => m.Value) >= 2);
    }

    [Fact]
    public async Task Deliver_TwoReceiversOneFailing_TheOtherGetsTheReportOnTime()
    {
        var domain = MtaStsEnvironment.NewDomainName("r");
        string bad = "bad." + domain, good = "good." + domain;
        await PublishAsync(domain, $"https://{bad}:{_server.Port}/r,https://{good}:{_server.Port}/r", bad, good);
        _server.SetStatus(bad, _ => 500);
        await using var reporter = await Reporter.StartAsync(env);
        reporter.RecordSessions(domain);

        await reporter.RunUntilAsync(reporter.Due);

        Assert.Single(_server.RequestsFor(good));
        Assert.Single(_server.RequestsFor(bad));
        Assert.Equal(1, reporter.Sent.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    private async Task<(string Domain, string Host)> PublishAsync(int? port = null, X509Certificate2? certificate = null)
    {
        var domain = MtaStsEnvironment.NewDomainName("r");
        var host = "reports." + domain;
        await PublishAsync(domain, $"https://{host}:{port ?? _server.Port}/v1/tlsrpt", [host], certificate);
        return (domain, host);
    }

    private Task PublishAsync(string domain, string rua, params string[] hosts) => PublishAsync(domain, rua, hosts, null);

    private Task PublishAsync(string domain, string rua, string[] hosts, X509Certificate2? certificate)
    {
        foreach (var host in hosts)
        {
            _server.SetCertificate(host, certificate ?? env.Ca.IssueServerCertificate(host));
        }

        var records = hosts.Select(h => $"{h[..^(domain.Length + 1)]} 1 IN A 127.0.0.1").Append($"_smtp._tls 1 IN TXT \"v=TLSRPTv1; rua={rua}\"");
        return env.Dns.SetZoneRecordsAsync(domain, [.. records]);
    }

    private static byte[] Gunzip(byte[] content)
    {
        using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>TLS reporting wired to the environment (Knot, the test CA) by dependency injection, HTTPS only, on fake time.</summary>
    private sealed class Reporter : ReportingHost
    {
        private Reporter(ServiceProvider provider, FakeTimeProvider time)
            : base(provider, time)
        {
            Sink = Services.GetServices<ISmtpSessionOutcomeSink>().Single();
            var meter = Services.GetRequiredService<MtaStsTelemetry>().Meter;
            Sent = new MetricCollector<long>(meter, "mtasts.tlsrpt.reports.sent");
            Failed = new MetricCollector<long>(meter, "mtasts.tlsrpt.reports.failed");
            Attempts = new MetricCollector<long>(meter, "mtasts.tlsrpt.delivery.attempts");
        }

        public ISmtpSessionOutcomeSink Sink { get; }

        public MetricCollector<long> Sent { get; }

        public MetricCollector<long> Failed { get; }

        public MetricCollector<long> Attempts { get; }

        public static async Task<Reporter> StartAsync(MtaStsEnvironment env, bool allowPrivateAddresses = true)
        {
            var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            services.AddMtaSts(o =>
            {
                o.NameServers.Add(env.Dns.EndPoint);
                o.TrustRoots.Add(env.Ca.RootCertificate);
                o.AllowPrivateAddresses = allowPrivateAddresses;
                o.RevocationMode = X509RevocationMode.NoCheck;
                o.DnsTimeout = TimeSpan.FromSeconds(2);
            }).AddTlsReporting(o =>
            {
                o.OrganizationName = "Sender Org";
                o.ContactInfo = "tlsrpt@sender.test";
                o.InstanceId = "it1";
                o.Transports = TlsReportTransports.Https;
                o.FlushInterval = TimeSpan.FromHours(1);
            });
            return await StartAsync(new Reporter(services.BuildServiceProvider(), time));
        }

        /// <summary>Counts two successful sessions and one failed one to <paramref name="domain"/> (no policy), now.</summary>
        public void RecordSessions(string domain)
        {
            var resolution = new PolicyResolution(domain, PolicyResolutionStatus.NoPolicy);
            for (var i = 0; i < 3; i++)
            {
                Sink.Record(new SmtpSessionOutcome(domain, resolution, "mx." + domain)
                {
                    Succeeded = i < 2,
                    SendingAddress = IPAddress.Loopback,
                    ReceivingAddress = IPAddress.Loopback,
                    Timestamp = Time.GetUtcNow(),
                });
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Sent.Dispose();
            Failed.Dispose();
            Attempts.Dispose();
        }
    }
}
