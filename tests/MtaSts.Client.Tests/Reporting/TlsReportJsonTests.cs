using System.Text;
using System.Text.Json;
using CsCheck;

namespace MtaSts.Tests.Reporting;

/// <summary>Writing is strict (RFC 8460 §4.4, checklist K.90/K.91); reading refuses only what cannot be a report, and never throws from TryParse.</summary>
public sealed class TlsReportJsonTests
{
    private static readonly DateOnly Day = new(2025, 3, 1);

    [Fact]
    public void ToUtf8Json_OnePolicy_PoliciesAndMxHostAreArraysCountsAreIntegers()
    {
        var sut = Report(new TlsReportPolicy(TlsRptPolicyType.Sts, ["version: STSv1", "mode: enforce", "mx: mx.example.net", "max_age: 86400"], "example.net", ["mx.example.net"], 7, 0, []));

        using var document = JsonDocument.Parse(sut.ToUtf8Json());

        var policies = document.RootElement.GetProperty("policies");
        Assert.Equal(JsonValueKind.Array, policies.ValueKind);
        var policy = policies[0].GetProperty("policy");
        Assert.Equal(JsonValueKind.Array, policy.GetProperty("mx-host").ValueKind);
        Assert.Equal(JsonValueKind.Array, policy.GetProperty("policy-string").ValueKind);
        var summary = policies[0].GetProperty("summary");
        Assert.Equal(7, summary.GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal(JsonValueKind.Number, summary.GetProperty("total-failure-session-count").ValueKind);
        Assert.Equal(0, summary.GetProperty("total-failure-session-count").GetInt64());
    }

    [Fact]
    public void ToUtf8Json_NoPolicyFound_PolicyDomainPresentOptionalFieldsOmitted()
    {
        var sut = Report(new TlsReportPolicy(TlsRptPolicyType.NoPolicyFound, [], "example.org", [], 3, 1, []));

        var json = Encoding.UTF8.GetString(sut.ToUtf8Json());

        Assert.Contains("""{"policy":{"policy-type":"no-policy-found","policy-domain":"example.org"},"summary":{"total-successful-session-count":3,"total-failure-session-count":1}}""", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ToUtf8Json_FailureDetailWithoutOptionalFields_OmitsThem()
    {
        var detail = new TlsReportFailureDetail("validation-failure", "192.0.2.1", "mx.example.net", null, "203.0.113.5", 2, null, "mx-not-in-policy");
        var sut = Report(new TlsReportPolicy(TlsRptPolicyType.Sts, ["version: STSv1"], "example.net", ["mx.example.net"], 0, 2, [detail]));

        var json = Encoding.UTF8.GetString(sut.ToUtf8Json());

        Assert.Contains(
            """failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.net","receiving-ip":"203.0.113.5","failed-session-count":2,"failure-reason-code":"mx-not-in-policy"}]""",
            json,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ToUtf8Json_DateRange_WholeUtcDayInRfc3339WithZ()
    {
        var sut = Report();

        using var document = JsonDocument.Parse(sut.ToUtf8Json());

        var range = document.RootElement.GetProperty("date-range");
        Assert.Equal("2025-03-01T00:00:00Z", range.GetProperty("start-datetime").GetString());
        Assert.Equal("2025-03-02T00:00:00Z", range.GetProperty("end-datetime").GetString());
    }

    [Fact]
    public void ToUtf8Json_AnyReport_HasNoDuplicateMemberNames()
    {
        // I-JSON (RFC 7493 §2.3): no duplicate names; checked with a reader that refuses them.
        var sut = TlsReport.Parse(TlsReportSampleTests.Read("tlsrpt_processor__sample.json"));

        using var document = JsonDocument.Parse(sut.ToUtf8Json(), new JsonDocumentOptions { AllowDuplicateProperties = false });

        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Theory]
    [InlineData("", "not JSON")]
    [InlineData("null", "null")]
    [InlineData("[]", "an array")]
    [InlineData("""{"policies":[]}""", "no date-range")]
    [InlineData("""{"date-range":{"start-datetime":"yesterday","end-datetime":"2025-03-01T23:59:59Z"},"policies":[]}""", "a date that is not RFC 3339")]
    [InlineData("""{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":[{"summary":{}}]}""", "a policy without policy")]
    [InlineData("""{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":[{"policy":{"policy-domain":"a.example"}}]}""", "no policy-type")]
    [InlineData("""{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts"},"summary":{"total-successful-session-count":-1}}]}""", "a negative count")]
    [InlineData("""{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts"},"failure-details":[{"failed-session-count":1}]}]}""", "a failure detail without result-type")]
    [InlineData("""{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts","mx-host":[1]}}]}""", "a number in mx-host")]
    [InlineData("""{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":{"policy":{"policy-type":"sts"}}}""", "policies as an object")]
    public void TryParse_NotAReport_FalseAndParseThrowsFormatException(string json, string why)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.False(TlsReport.TryParse(bytes, out _), why);
        var ex = Assert.Throws<FormatException>(() => TlsReport.Parse(bytes));
        Assert.StartsWith("Not a TLS report: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CountsAsDigitStringsAndByteOrderMark_Accepted()
    {
        var json = """{"date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts"},"summary":{"total-successful-session-count":"12"}}]}""";

        var sut = TlsReport.Parse([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]);

        Assert.Equal(12, sut.Policies[0].TotalSuccessfulSessionCount);
    }

    [Fact]
    public void TryParse_ArbitraryBytesAndMutatedReports_NeverThrows()
    {
        var sample = TlsReportSampleTests.Read("rfc8460__appendix-b-errata.json");
        Gen.OneOf(
                Gen.Byte.Array[0, 400],
                Gen.Int[0, sample.Length - 1].SelectMany(i => Gen.Byte.Select(b => { var copy = sample.ToArray(); copy[i] = b; return copy; })),
                Gen.Int[0, sample.Length].Select(n => sample[..n]))
            .Sample(bytes => { TlsReport.TryParse(bytes, out _); }, iter: 2_000);
    }

    private static TlsReport Report(params TlsReportPolicy[] policies) =>
        new("Example Org", TlsReportBuilder.Start(Day), TlsReportBuilder.End(Day), "tlsrpt@sender.example", "20250301.a.example.net@sender.example", policies);
}
