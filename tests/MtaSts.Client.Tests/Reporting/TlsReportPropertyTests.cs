using System.Net;
using CsCheck;

namespace MtaSts.Tests.Reporting;

/// <summary>Properties of the report JSON and of the counter keys stores keep, on generated data.</summary>
public sealed class TlsReportPropertyTests
{
    private const long Iterations = 500;

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[1, 40],
        Gen.Char["a-z0-9.-"].Array[1, 30].Select(c => new string(c)),
        Gen.Const("quote \" backslash \\ slash / tab \t newline \n é 漢 😀"));

    private static readonly Gen<string?> OptionalText = Gen.Frequency((1, Gen.Const((string?)null)), (3, Text.Select(t => (string?)t)));

    private static readonly Gen<TlsReportFailureDetail> Detail =
        Gen.Select(Text, OptionalText, OptionalText, OptionalText, OptionalText, Gen.Long[0, 1L << 53], OptionalText, OptionalText)
            .Select((type, sending, mx, helo, receiving, count, info, reason) => new TlsReportFailureDetail(type, sending, mx, helo, receiving, count, info, reason));

    private static readonly Gen<TlsReportPolicy> Policy =
        Gen.Select(Text, Text.List[0, 6], OptionalText, Text.List[0, 4], Gen.Long[0, 1L << 53], Gen.Long[0, 1L << 53], Detail.List[0, 5])
            .Select((type, lines, domain, mx, ok, failed, details) => new TlsReportPolicy(type, lines.AsReadOnly(), domain, mx.AsReadOnly(), ok, failed, details.AsReadOnly()));

    private static readonly Gen<TlsReport> Report =
        Gen.Select(OptionalText, Gen.Int[0, 40_000], OptionalText, OptionalText, Policy.List[0, 4])
            .Select((org, day, contact, id, policies) =>
            {
                var start = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day);
                return new TlsReport(org, start, start.AddDays(1).AddSeconds(-1), contact, id, policies.AsReadOnly());
            });

    [Fact]
    public void ToUtf8Json_AnyReport_ParsesBackToTheSameReport()
    {
        Report.Sample(
            report =>
            {
                var reread = TlsReport.Parse(report.ToUtf8Json());
                ReportAssert.Equivalent(report, reread);
            },
            iter: Iterations);
    }

    [Fact]
    public void TryDecode_AnyEncodedKey_GivesBackEveryField()
    {
        Gen.Select(Gen.Bool, OptionalText, Gen.Enum<TlsRptResultType>(), Text, OptionalText, OptionalText, Gen.Byte.Array[4])
            .Sample(
                (sts, text, type, mx, helo, reason, address) =>
                {
                    var policyType = sts ? TlsRptPolicyType.Sts : TlsRptPolicyType.NoPolicyFound;
                    var detail = new FailureDetailKey(type, new IPAddress(address), mx, null, helo, reason);

                    Assert.True(TlsReportCounterKey.TryDecode(TlsReportCounterKey.Encode(policyType, text, detail), out var decoded));
                    Assert.Equal(
                        (TlsReportCounterKey.DetailKind, policyType, text, type.ToResultTypeString(), new IPAddress(address).ToString(), TlsReportCounterKey.FormatHost(mx), (string?)null),
                        (decoded.Kind, decoded.PolicyType, decoded.PolicyText, decoded.ResultType, decoded.SendingMtaIp, decoded.MxHost, decoded.ReceivingIp));
                    Assert.Equal((string.IsNullOrEmpty(helo) ? null : helo, string.IsNullOrEmpty(reason) ? null : reason), (decoded.Helo, decoded.ReasonCode));

                    Assert.True(TlsReportCounterKey.TryDecode(TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, policyType, text), out var success));
                    Assert.Equal((TlsReportCounterKey.SuccessKind, policyType, text), (success.Kind, success.PolicyType, success.PolicyText));
                },
                iter: Iterations);
    }

    [Fact]
    public void TryDecode_ArbitraryStrings_NeverThrows()
    {
        Gen.String.Sample(text => { TlsReportCounterKey.TryDecode(text, out _); }, iter: 2_000);
    }
}
