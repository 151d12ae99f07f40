using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MtaSts.MailKit.Tests.Reporting;

/// <summary>The report mail (RFC 8460 §5.3, checklist K.92): MIME structure, headers, subject, file name, DKIM.</summary>
public sealed class TlsReportMessageBuilderTests : IDisposable
{
    private static readonly DateOnly Day = new(2025, 3, 1);
    private readonly RSA _key = RSA.Create(2048);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 2, 2, 0, 0, TimeSpan.Zero));
    private readonly TlsReportMessageBuilder _sut;

    public TlsReportMessageBuilderTests()
    {
        _sut = new TlsReportMessageBuilder(
            new TlsRptOptions
            {
                OrganizationName = "Sender Org",
                ContactInfo = "tlsrpt@sender.example",
                DkimSelector = "tlsrpt",
                DkimPrivateKeyPem = _key.ExportPkcs8PrivateKeyPem(),
            },
            _time);
    }

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Build_Report_MultipartReportWithTextAndGzipAttachment()
    {
        var submission = Submission();

        var message = _sut.Build(submission, new MailboxAddress(null, "tlsrpt@example.net"));

        Assert.Equal("multipart/report", message.Body!.ContentType.MimeType);
        Assert.Equal("tlsrpt", message.Body!.ContentType.Parameters["report-type"]);
        var report = Assert.IsType<MultipartReport>(message.Body);
        Assert.Collection(
            report,
            part => Assert.Equal("text/plain", part.ContentType.MimeType),
            part =>
            {
                var attachment = Assert.IsType<MimePart>(part);
                Assert.Equal("application/tlsrpt+gzip", attachment.ContentType.MimeType);
                Assert.True(attachment.IsAttachment);
                Assert.Equal(ContentEncoding.Base64, attachment.ContentTransferEncoding);
                Assert.Equal("sender.example!example.net!1740787200!1740873600!mta1.json.gz", attachment.FileName);
                using var content = new MemoryStream();
                attachment.Content!.DecodeTo(content);
                Assert.Equal(submission.GzipContent.ToArray(), content.ToArray());
            });
    }

    [Fact]
    public void Build_Report_HeadersAndSubjectOfRfc8460Section53()
    {
        var message = _sut.Build(Submission(), new MailboxAddress(null, "tlsrpt@example.net"));

        Assert.Equal("tlsrpt@sender.example", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal("Sender Org", message.From.Mailboxes.Single().Name);
        Assert.Equal("tlsrpt@example.net", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("example.net", message.Headers["TLS-Report-Domain"]);
        Assert.Equal("sender.example", message.Headers["TLS-Report-Submitter"]);
        Assert.Equal("No", message.Headers["TLS-Required"]);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.Equal("Report Domain: example.net Submitter: sender.example Report-ID: <20250301.mta1.example.net@sender.example>", message.Subject);
        Assert.Equal(_time.GetUtcNow(), message.Date);
        Assert.EndsWith("@sender.example", message.MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_Report_DkimSignedRelaxedOverTheReportHeadersWithoutBodyLength()
    {
        var message = _sut.Build(Submission(), new MailboxAddress(null, "tlsrpt@example.net"));

        var signature = Assert.Single(message.Headers, h => h.Id == HeaderId.DkimSignature);
        var tags = signature.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Split('=', 2)).ToDictionary(t => t[0], t => string.Concat(t[1].Where(c => !char.IsWhiteSpace(c))));
        Assert.Equal(("relaxed/relaxed", "sender.example", "tlsrpt", "rsa-sha256"), (tags["c"], tags["d"], tags["s"], tags["a"]));
        Assert.False(tags.ContainsKey("l"), "RFC 8460 §3: DKIM signatures MUST NOT use l=.");
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), tags["t"]);
        var signed = tags["h"].ToLowerInvariant().Split(':');
        Assert.Superset(new HashSet<string>(["from", "to", "subject", "date", "message-id", "tls-report-domain", "tls-report-submitter", "tls-required"]), new HashSet<string>(signed));

        var locator = new SingleKeyLocator(_key);
        Assert.True(await new DkimVerifier(locator).VerifyAsync(message, signature));
        message.Headers["TLS-Report-Submitter"] = "attacker.example";
        Assert.False(await new DkimVerifier(locator).VerifyAsync(message, signature));
    }

    [Fact]
    public void Build_DkimDomainSet_SignsWithIt()
    {
        var builder = new TlsReportMessageBuilder(
            new TlsRptOptions { OrganizationName = "O", ContactInfo = "tlsrpt@sender.example", DkimDomain = "Mail.Sender.Example.", DkimSelector = "s1", DkimPrivateKeyPem = _key.ExportRSAPrivateKeyPem() },
            _time);

        var message = builder.Build(Submission(), new MailboxAddress(null, "tlsrpt@example.net"));

        Assert.Contains("d=mail.sender.example;", message.Headers[HeaderId.DkimSignature], StringComparison.Ordinal);
        Assert.Contains("s=s1;", message.Headers[HeaderId.DkimSignature], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverAsync_RecipientNotAnAddress_PermanentFailureWithoutSending()
    {
        var sut = new MailTlsReportTransport(null!, _sut);

        var result = await sut.DeliverAsync(Submission(recipient: "not an address"));

        Assert.Equal(TlsReportDeliveryStatus.PermanentFailure, result.Status);
        Assert.Equal("invalid-recipient-address", result.Detail);
    }

    private static TlsReportSubmission Submission(string recipient = "tlsrpt@example.net")
    {
        var report = new TlsReport(
            "Sender Org",
            new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            new DateTimeOffset(Day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero),
            "tlsrpt@sender.example",
            "20250301.mta1.example.net@sender.example",
            [new TlsReportPolicy(TlsRptPolicyType.NoPolicyFound, [], "example.net", [], 1, 0, [])]);
        return new TlsReportSubmission(report, "example.net", "sender.example", new Uri("mailto:tlsrpt@example.net"), recipient, "sender.example!example.net!1740787200!1740873600!mta1.json.gz", report.ToGzip());
    }

    /// <summary>Answers every key lookup with the test key's public half.</summary>
    private sealed class SingleKeyLocator(RSA key) : DkimPublicKeyLocatorBase
    {
        private readonly string _record = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey(_record);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(GetPublicKey(_record));
    }
}
