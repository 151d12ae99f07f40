namespace MtaSts.Tests.Reporting;

/// <summary>Names and edges of a built report: report-id, RFC 8460 §5.1 file name, unreadable stored counters.</summary>
public sealed class TlsReportBuilderTests
{
    private static readonly DateOnly Day = new(2025, 3, 1);
    private readonly TlsReportBuilder _sut = new(new TlsRptOptions { OrganizationName = "Sender Org", ContactInfo = "tlsrpt@Sender.Example", InstanceId = "mta1" });

    [Fact]
    public void ReportId_IdLeftAtIdRight_FitsTheSubjectSyntax()
    {
        var id = _sut.ReportId("example.net", Day);

        Assert.Equal("20250301.mta1.example.net@sender.example", id);

        // RFC 8460 §5.3 / RFC 5322: "<" id-left "@" id-right ">" with dot-atom-text on both sides.
        Assert.Matches(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", id);
    }

    [Fact]
    public void FileName_Rfc8460Section51_TimestampsAreTheDateRange()
    {
        // K.92: <sender>!<policy domain>!<begin>!<end>[!<unique-id>].json.gz, sender the contact-info's domain in A-labels.
        Assert.Equal("sender.example!xn--gpher-jua.test!1740787200!1740873600!mta1.json.gz", _sut.FileName("xn--gpher-jua.test", Day));
        Assert.Equal(1740787200, TlsReportBuilder.Start(Day).ToUnixTimeSeconds());
        Assert.Equal(1740873600, TlsReportBuilder.End(Day).ToUnixTimeSeconds());
    }

    [Fact]
    public void Build_NoCountedSession_Null()
    {
        TlsReportCounter[] counters =
        [
            new(Day, "example.net", TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, TlsRptPolicyType.NoPolicyFound, null), 0),
            new(Day.AddDays(1), "example.net", TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, TlsRptPolicyType.NoPolicyFound, null), 3),
            new(Day, "other.example", TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, TlsRptPolicyType.NoPolicyFound, null), 3),
        ];

        Assert.Null(_sut.Build("example.net", Day, counters, out var unreadable));
        Assert.Equal(0, unreadable);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[\"s\"]")]
    [InlineData("[\"x\",\"sts\",null]")]
    [InlineData("[\"s\",\"tlsa\",null]")]
    [InlineData("[\"d\",\"sts\",null,null,null,\"mx.example.net\",null,null,null]")]
    [InlineData("[\"d\",\"sts\",null,\"validation-failure\",null,null,null,null,null]")]
    [InlineData("[\"s\",\"sts\",null,1]")]
    [InlineData("{\"s\":1}")]
    public void Build_TamperedStoredKey_SkippedAndCounted(string key)
    {
        TlsReportCounter[] counters =
        [
            new(Day, "example.net", key, 5),
            new(Day, "example.net", TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, TlsRptPolicyType.NoPolicyFound, null), 2),
        ];

        var report = _sut.Build("example.net", Day, counters, out var unreadable);

        Assert.Equal(1, unreadable);
        Assert.Equal(2, Assert.Single(report!.Policies).TotalSuccessfulSessionCount);
    }

    [Fact]
    public void Build_PolicyDomainAndContact_ReportHeaderFields()
    {
        TlsReportCounter[] counters = [new(Day, "example.net", TlsReportCounterKey.Encode(TlsReportCounterKey.FailureKind, TlsRptPolicyType.NoPolicyFound, null), 1)];

        var report = _sut.Build("example.net", Day, counters, out _)!;

        Assert.Equal(("Sender Org", "tlsrpt@Sender.Example"), (report.OrganizationName, report.ContactInfo));
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero), report.StartDateTime);
        Assert.Equal(new DateTimeOffset(2025, 3, 2, 0, 0, 0, TimeSpan.Zero), report.EndDateTime);
    }
}
