namespace MtaSts.Tests.Reporting;

/// <summary>
/// Every sample report of other implementations (and the RFC 8460 Appendix B example, as printed and with erratum 6241)
/// parses with <see cref="TlsReport"/>, and serialises back to an equivalent report (see Samples/SOURCES.md).
/// </summary>
public sealed class TlsReportSampleTests
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(SampleDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void TryParse_Sample_Parses(string file)
    {
        var parsed = TlsReport.TryParse(Read(file), out var report);

        Assert.True(parsed, file);
        Assert.NotEmpty(report!.Policies);
        Assert.All(report.Policies, p => Assert.False(string.IsNullOrEmpty(p.PolicyType)));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ToUtf8Json_Sample_RoundTripsToAnEquivalentReport(string file)
    {
        var original = TlsReport.Parse(Read(file));

        var written = original.ToUtf8Json();
        var reread = TlsReport.Parse(written);

        ReportAssert.Equivalent(original, reread);
        Assert.Equal(written, reread.ToUtf8Json());
    }

    [Fact]
    public void Parse_AppendixB_HasTheExampleValues()
    {
        var sut = TlsReport.Parse(Read("rfc8460__appendix-b-errata.json"));

        Assert.Equal("Company-X", sut.OrganizationName);
        Assert.Equal(new DateTimeOffset(2016, 4, 1, 0, 0, 0, TimeSpan.Zero), sut.StartDateTime);
        Assert.Equal(new DateTimeOffset(2016, 4, 1, 23, 59, 59, TimeSpan.Zero), sut.EndDateTime);
        Assert.Equal("sts-reporting@company-x.example", sut.ContactInfo);
        Assert.Equal("5065427c-23d3-47ca-b6e0-946ea0e8c4be", sut.ReportId);
        var policy = Assert.Single(sut.Policies);
        Assert.Equal(TlsRptPolicyType.Sts, policy.PolicyType);
        Assert.Equal(["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"], policy.PolicyStrings);
        Assert.Equal("company-y.example", policy.PolicyDomain);
        Assert.Equal(["*.mail.company-y.example"], policy.MxHosts);
        Assert.Equal((5326L, 303L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        Assert.Collection(
            policy.FailureDetails,
            d => Assert.Equal(("certificate-expired", "2001:db8:abcd:0012::1", "mx1.mail.company-y.example", (string?)null, 100L), (d.ResultType, d.SendingMtaIp, d.ReceivingMxHostname, d.ReceivingIp, d.FailedSessionCount)),
            d => Assert.Equal(("starttls-not-supported", "203.0.113.56", 200L), (d.ResultType, d.ReceivingIp, d.FailedSessionCount)),
            d => Assert.Equal(("validation-failure", "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED", 3L), (d.ResultType, d.FailureReasonCode, d.FailedSessionCount)));
    }

    [Fact]
    public void Parse_AppendixBAsPrinted_MxHostStringReadAsOnePattern()
    {
        // K.95, erratum 6241: the example shows "mx-host" as a string.
        var printed = TlsReport.Parse(Read("rfc8460__appendix-b.json"));
        var corrected = TlsReport.Parse(Read("rfc8460__appendix-b-errata.json"));

        Assert.Equal(["*.mail.company-y.example"], printed.Policies[0].MxHosts);
        Assert.Equal(corrected.Policies[0].MxHosts, printed.Policies[0].MxHosts);
        Assert.Contains("\"mx-host\":[\"*.mail.company-y.example\"]", printed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StalwartContactInfoNull_ReadAsAbsentAndOmittedWhenWritten()
    {
        var sut = TlsReport.Parse(Read("issue__dmarc-report-viewer-71__stalwart.json"));

        Assert.Null(sut.ContactInfo);
        Assert.Equal(new DateTimeOffset(2026, 1, 12, 0, 0, 0, TimeSpan.Zero), sut.EndDateTime);
        Assert.DoesNotContain("contact-info", sut.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PostfixNoPolicyFoundWithoutPolicyDomain_Accepted()
    {
        var sut = TlsReport.Parse(Read("issue__sys4-tlsrpt-reporter-51__postfix.json"));

        var policy = Assert.Single(sut.Policies);
        Assert.Equal(TlsRptPolicyType.NoPolicyFound, policy.PolicyType);
        Assert.Null(policy.PolicyDomain);
        Assert.Empty(policy.FailureDetails);
    }

    [Fact]
    public void Parse_EmptyStringsInFailureDetail_ReadAsAbsent()
    {
        var sut = TlsReport.Parse(Read("parsedmarc__empty_failure_detail_fields.json"));

        var detail = Assert.Single(sut.Policies[0].FailureDetails);
        Assert.Equal((null, null, null, null), (detail.SendingMtaIp, detail.ReceivingIp, detail.ReceivingMxHostname, detail.AdditionalInformation));
        Assert.Equal("no-policy-served", detail.FailureReasonCode);
        Assert.DoesNotContain("\"\"", sut.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FailureErrorCode_ReadAsFailureReasonCode()
    {
        var sut = TlsReport.Parse(Read("tlsrpt_processor__sample.json"));

        Assert.Equal("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED", sut.Policies[0].FailureDetails[2].FailureReasonCode);
        Assert.DoesNotContain("failure-error-code", sut.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StalwartEmptyArrays_ReadAsEmptyAndOmittedWhenWritten()
    {
        var sut = TlsReport.Parse(Read("issue__parsedmarc-575__stalwart.json"));

        var policy = Assert.Single(sut.Policies);
        Assert.Empty(policy.PolicyStrings);
        Assert.Empty(policy.MxHosts);
        Assert.Empty(policy.FailureDetails);
        Assert.Equal("""{"policy-type":"no-policy-found","policy-domain":"redacted.example.com"}""", PolicyObject(sut.ToString()));
    }

    [Fact]
    public void Parse_MicrosoftTlsaPolicyString_KeptAsWritten()
    {
        var sut = TlsReport.Parse(Read("dmarc-report-viewer__microsoft.json"));

        Assert.Equal([TlsRptPolicyType.Sts, TlsRptPolicyType.Tlsa], sut.Policies.Select(p => p.PolicyType));
        Assert.StartsWith("[\"3 1 1 6007EEE5", Assert.Single(sut.Policies[1].PolicyStrings), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownPolicyTypeAndMissingCounts_KeptAndCountedAsZero()
    {
        // mailauth's negative sample: a strict validator refuses it; a lenient reader keeps what is there.
        var sut = TlsReport.Parse(Read("mailauth__rpt03.json"));

        Assert.Equal("invalid-policy-type", sut.Policies[1].PolicyType);
        Assert.Equal(0, sut.Policies[0].TotalFailureSessionCount);
        Assert.Null(sut.Policies[0].PolicyDomain);
    }

    internal static string SampleDirectory => Path.Combine(AppContext.BaseDirectory, "Reporting", "Samples");

    internal static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(SampleDirectory, file));

    private static string PolicyObject(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.GetProperty("policies")[0].GetProperty("policy").GetRawText();
    }
}
