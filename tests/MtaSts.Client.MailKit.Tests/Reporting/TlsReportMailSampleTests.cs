using System.IO.Compression;
using MimeKit;

namespace MtaSts.MailKit.Tests.Reporting;

/// <summary>
/// The report mails of other implementations (Google, Microsoft, the RFC 8460 §5.3.1 example; see Samples/SOURCES.md):
/// the report part is found by its media type and its JSON parses with <see cref="TlsReport"/> and round-trips.
/// </summary>
public sealed class TlsReportMailSampleTests
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(SampleDirectory, "*.eml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ReportPart_SampleMail_ParsesAndRoundTrips(string file)
    {
        var message = MimeMessage.Load(Path.Combine(SampleDirectory, file));

        var json = ReportJson(message);

        Assert.True(TlsReport.TryParse(json, out var report), file);
        Assert.NotEmpty(report.Policies);
        Assert.Equal(report.ToString(), TlsReport.Parse(report.ToUtf8Json()).ToString());
    }

    [Fact]
    public void ReportPart_MicrosoftMailWithoutTimeZone_DatesReadAsUtc()
    {
        var report = TlsReport.Parse(ReportJson(MimeMessage.Load(Path.Combine(SampleDirectory, "mox__microsoft.eml"))));

        Assert.Equal(TimeSpan.Zero, report.StartDateTime.Offset);
        Assert.Equal(TimeSpan.Zero, report.StartDateTime.TimeOfDay);
        Assert.Equal(report.StartDateTime.AddDays(1).AddSeconds(-1), report.EndDateTime);
    }

    [Fact]
    public void Headers_GoogleMail_CarryTheTlsReportHeadersAndDkimOverThem()
    {
        var message = MimeMessage.Load(Path.Combine(SampleDirectory, "parsedmarc__google.com_smtp_tls_report.eml"));

        Assert.Equal("google.com", message.Headers["TLS-Report-Submitter"]);
        Assert.StartsWith("Report Domain: ", message.Subject, StringComparison.Ordinal);
        Assert.Contains("tls-report-domain", message.Headers[HeaderId.DkimSignature], StringComparison.Ordinal);
    }

    internal static string SampleDirectory => Path.Combine(AppContext.BaseDirectory, "Reporting", "Samples");

    /// <summary>The report JSON of a report mail: the application/tlsrpt+gzip part gunzipped, or the JSON part as it is.</summary>
    internal static byte[] ReportJson(MimeMessage message)
    {
        var part = message.BodyParts.OfType<MimePart>()
            .Single(p => p.ContentType.MediaType == "application" && p.ContentType.MediaSubtype.StartsWith("tlsrpt", StringComparison.OrdinalIgnoreCase));
        using var content = new MemoryStream();
        part.Content!.DecodeTo(content);
        var bytes = content.ToArray();
        if (bytes is not [0x1F, 0x8B, ..])
        {
            return bytes;
        }

        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var json = new MemoryStream();
        gzip.CopyTo(json);
        return json.ToArray();
    }
}
