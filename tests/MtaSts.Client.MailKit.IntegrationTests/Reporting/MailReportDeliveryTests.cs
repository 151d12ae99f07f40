using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;

namespace MtaSts.MailKit.IntegrationTests.Reporting;

/// <summary>
/// TLS reports by mail end to end (RFC 8460 §5.3, checklist K.92/K.93): real deliveries through the agent are counted, the
/// report goes out after the day on fake time, the real Postfix receives it, and the test reads it back from the Maildir,
/// checks the MIME structure and headers, verifies the DKIM signature with MimeKit's <see cref="DkimVerifier"/> against the
/// key published in the real Knot server, and gunzips and checks the JSON.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class MailReportDeliveryTests(DeliveryEnvironment env)
{
    private const string Selector = "tlsrpt";

    [Fact]
    public async Task Report_DayOfRealDeliveries_ArrivesDkimValidWithTheDaysCounts()
    {
        var (submitter, pem) = await PublishDkimKeyAsync();
        var reports = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Valid], []);
        var domain = DeliveryEnvironment.NewDomainName();
        await env.PublishAsync(domain, PolicyCase.Testing, [MxHosts.Valid], [MxHosts.Valid, MxHosts.Expired], extraRecords: [Rua(reports)]);
        await using var reporter = await Reporter.StartAsync(env, submitter, pem);

        // Two sessions with a valid certificate, then the MX moves to a host whose certificate expired (testing: delivered, reported).
        await reporter.DeliverAsync(domain);
        await reporter.DeliverAsync(domain);
        await env.PublishAsync(domain, PolicyCase.Testing, [MxHosts.Expired], [MxHosts.Valid, MxHosts.Expired], extraRecords: [Rua(reports)]);
        await reporter.DeliverAsync(domain);
        await reporter.RunUntilAsync(reporter.Due);

        var received = await DeliveryEnvironment.WaitForMessageAsync(env.Postfix, "TLS-Report-Domain: " + domain);
        var message = received.ToMimeMessage();
        var fileName = $"{submitter}!{domain}!{reporter.DayStart.ToUnixTimeSeconds()}!{reporter.DayStart.AddDays(1).ToUnixTimeSeconds()}!it1.json.gz";

        // Envelope and headers (RFC 8460 §5.3, RFC 8689).
        Assert.Equal("tlsrpt@" + submitter, received.Sender);
        Assert.Equal(["tlsrpt@" + reports], received.Recipients);
        Assert.Equal(domain, message.Headers["TLS-Report-Domain"]);
        Assert.Equal(submitter, message.Headers["TLS-Report-Submitter"]);
        Assert.Equal("No", message.Headers["TLS-Required"]);
        var report = ReadReport(message, fileName);
        Assert.Equal($"Report Domain: {domain} Submitter: {submitter} Report-ID: <{report.ReportId}>", message.Subject);
        Assert.EndsWith("@" + submitter, report.ReportId, StringComparison.Ordinal);

        // RFC 8460 §3: a valid DKIM signature by the reporting domain, over both TLS-Report headers, without l=.
        var signature = Assert.Single(message.Headers, h => h.Id == HeaderId.DkimSignature);
        var tags = DkimTags(signature.Value);
        Assert.Equal(("relaxed/relaxed", submitter, Selector, "rsa-sha256"), (tags["c"], tags["d"], tags["s"], tags["a"]));
        Assert.False(tags.ContainsKey("l"));
        Assert.Contains("tls-report-domain", tags["h"].ToLowerInvariant().Split(':'));
        Assert.Contains("tls-report-submitter", tags["h"].ToLowerInvariant().Split(':'));
        var locator = new KnotDkimPublicKeyLocator(env.Mta.Dns.EndPoint);
        Assert.True(await new DkimVerifier(locator).VerifyAsync(message, signature));
        Assert.Contains("s=tlsrpt", locator.LastRecord, StringComparison.Ordinal);
        message.Headers["TLS-Report-Domain"] = "attacker.example";
        Assert.False(await new DkimVerifier(locator).VerifyAsync(message, signature));
        message.Headers["TLS-Report-Domain"] = domain;

        // The report: the day's three sessions under the testing policy, the expired certificate as a failure detail.
        Assert.Equal(("Sender Org", "tlsrpt@" + submitter), (report.OrganizationName, report.ContactInfo));
        Assert.Equal((reporter.DayStart, reporter.DayStart.AddDays(1)), (report.StartDateTime, report.EndDateTime));
        var policy = Assert.Single(report.Policies);
        Assert.Equal((TlsRptPolicyType.Sts, domain), (policy.PolicyType, policy.PolicyDomain));
        Assert.Contains("mode: testing", policy.PolicyStrings);
        Assert.Equal([MxHosts.Valid, MxHosts.Expired], policy.MxHosts);
        Assert.Equal((2L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        var detail = Assert.Single(policy.FailureDetails);
        Assert.Equal(("certificate-expired", MxHosts.Expired, env.Forwarder(MxHosts.Expired).Address.ToString(), 1L), (detail.ResultType, detail.ReceivingMxHostname!, detail.ReceivingIp!, detail.FailedSessionCount));
        Assert.NotNull(detail.SendingMtaIp);
    }

    [Fact]
    public async Task Report_RecipientDomainEnforcesAndItsMxCertificateIsBroken_StillDeliveredAndNeverCounted()
    {
        // K.93, RFC 8460 §3: "Sending MTAs MUST deliver reports despite any TLS-related failures and SHOULD NOT include
        // this SMTP session in the next report."
        var (submitter, pem) = await PublishDkimKeyAsync();
        var reports = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Expired], [MxHosts.Expired]);
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [MxHosts.Valid], extraRecords: [Rua(reports)]);
        await using var reporter = await Reporter.StartAsync(env, submitter, pem);
        await reporter.DeliverAsync(domain);

        await reporter.RunUntilAsync(reporter.Due);

        var received = await DeliveryEnvironment.WaitForMessageAsync(env.Postfix, "TLS-Report-Domain: " + domain);
        Assert.Equal(["tlsrpt@" + reports], received.Recipients);
        await reporter.RunUntilAsync(reporter.Due.AddDays(1).AddHours(1));
        Assert.Null(await reporter.Generator.GenerateReportAsync(reports, reporter.Day.AddDays(1)));
        Assert.DoesNotContain(reports, await reporter.Generator.ListPolicyDomainsAsync(reporter.Day.AddDays(1)));
    }

    private static string Rua(string reportsDomain) => $"_smtp._tls 1 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@{reportsDomain}\"";

    /// <summary>Makes a submitter domain with an RSA key published at <c>tlsrpt._domainkey</c> (with <c>s=tlsrpt</c>, RFC 8460 §3).</summary>
    private async Task<(string Domain, string Pem)> PublishDkimKeyAsync()
    {
        using var rsa = RSA.Create(2048);
        var record = $"v=DKIM1; k=rsa; s=tlsrpt; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}";
        var strings = string.Join(' ', record.Chunk(200).Select(c => $"\"{new string(c)}\""));
        var domain = DeliveryEnvironment.NewDomainName();
        await env.Mta.Dns.SetZoneRecordsAsync(domain, $"{Selector}._domainkey 1 IN TXT {strings}");
        return (domain, rsa.ExportRSAPrivateKeyPem());
    }

    private static TlsReport ReadReport(MimeMessage message, string fileName)
    {
        // RFC 8460 §5.3: multipart/report; report-type="tlsrpt", a human-readable part, then application/tlsrpt+gzip.
        var body = Assert.IsType<MultipartReport>(message.Body);
        Assert.Equal("tlsrpt", body.ReportType);
        Assert.Equal(2, body.Count);
        var text = Assert.IsType<TextPart>(body[0]);
        Assert.True(text.IsPlain);
        Assert.Contains("aggregate TLS report", text.Text, StringComparison.Ordinal);
        var attachment = Assert.IsType<MimePart>(body[1]);
        Assert.Equal("application/tlsrpt+gzip", attachment.ContentType.MimeType);
        Assert.True(attachment.IsAttachment);
        Assert.Equal(fileName, attachment.FileName);
        using var compressed = new MemoryStream();
        attachment.Content!.DecodeTo(compressed);
        compressed.Position = 0;
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var json = new MemoryStream();
        gzip.CopyTo(json);
        return TlsReport.Parse(json.ToArray());
    }

    private static Dictionary<string, string> DkimTags(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Split('=', 2))
            .ToDictionary(t => t[0], t => string.Concat(t[1].Where(c => !char.IsWhiteSpace(c))), StringComparer.Ordinal);

    /// <summary>Delivery and TLS reporting (mail only) wired to the delivery environment by dependency injection, on fake time.</summary>
    private sealed class Reporter : ReportingHost
    {
        private Reporter(ServiceProvider provider, FakeTimeProvider time)
            : base(provider, time)
        {
            Agent = Services.GetRequiredService<MtaStsDeliveryAgent>();
        }

        public MtaStsDeliveryAgent Agent { get; }

        public static async Task<Reporter> StartAsync(DeliveryEnvironment env, string submitter, string pem)
        {
            // Fake time starts at the real time: the test CA's certificates are checked against it.
            var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            services.AddMtaSts(policy => env.ConfigurePolicy(policy))
                .AddMailKitDelivery(env.ConfigureDelivery)
                .AddTlsReporting(o =>
                {
                    o.OrganizationName = "Sender Org";
                    o.ContactInfo = "tlsrpt@" + submitter;
                    o.InstanceId = "it1";
                    o.Transports = TlsReportTransports.Mail;
                    o.FlushInterval = TimeSpan.FromHours(1);
                    o.DkimSelector = Selector;
                    o.DkimPrivateKeyPem = pem;
                })
                .AddTlsReportMail();
            return await StartAsync(new Reporter(services.BuildServiceProvider(), time));
        }

        public async Task DeliverAsync(string domain)
        {
            var result = Assert.Single(await Agent.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker())));
            Assert.Equal(DeliveryStatus.Delivered, result.Status);
        }
    }
}
