using System.Net;
using static MtaSts.Tests.Reporting.CollectorHarness;

namespace MtaSts.Tests.Reporting;

/// <summary>
/// Sessions DANE decided, in TLS-RPT (RFC 8460 §4.4, §4.5): a <c>tlsa</c> policy per TLSA base domain and record set,
/// with the records as <c>policy-string</c>, never counted under the domain's <c>sts</c> policy.
/// </summary>
public sealed class TlsaReportingTests : IDisposable
{
    private const string Domain = "example.net";
    private const string Mx = "mx1.example.net";
    private readonly CollectorHarness _h = new();
    private readonly MtaStsPolicy _enforce = Sessions.Policy("enforce", "mx1.example.net");
    private readonly TlsaRecord _ee = new(3, 1, 1, Enumerable.Repeat((byte)0xAB, 32).ToArray());
    private readonly TlsaRecord _pkix = new(1, 1, 1, Enumerable.Repeat((byte)0xCD, 32).ToArray());

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Record_DaneSessionUnderEnforcePolicy_CountsUnderTlsaWithRecordsAndBaseDomainNotUnderSts()
    {
        _h.Collector.Record(Sessions.Success(Sessions.Under(Domain, _enforce), Mx, "203.0.113.1", At(9)));
        _h.Collector.Record(new SmtpSessionOutcome(Domain, Sessions.Under(Domain, _enforce), Mx)
        {
            Succeeded = true,
            Tlsa = Tlsa(TlsaLookupStatus.Usable, _ee, _pkix),
            Timestamp = At(10),
        });

        var report = await _h.ReportAsync(Domain);

        Assert.Equal([TlsRptPolicyType.Sts, TlsRptPolicyType.Tlsa], report!.Policies.Select(p => p.PolicyType));
        var tlsa = report.Policies[1];
        Assert.Equal(["3 1 1 " + string.Concat(Enumerable.Repeat("AB", 32)), "1 1 1 " + string.Concat(Enumerable.Repeat("CD", 32))], tlsa.PolicyStrings);
        Assert.Equal(Mx, tlsa.PolicyDomain);
        Assert.Empty(tlsa.MxHosts);
        Assert.Equal((1L, 0L), (tlsa.TotalSuccessfulSessionCount, tlsa.TotalFailureSessionCount));
        Assert.Equal((1L, 0L), (report.Policies[0].TotalSuccessfulSessionCount, report.Policies[0].TotalFailureSessionCount));
    }

    [Fact]
    public async Task Record_DaneFailureWhileStsFetchFailed_TlsaFailureOnlyWithoutTheStsFetchError()
    {
        var resolution = Sessions.NoPolicy(Domain, TlsRptResultType.StsPolicyFetchError, "timeout");
        _h.Collector.Record(new SmtpSessionOutcome(Domain, resolution, Mx)
        {
            ResultType = TlsRptResultType.TlsaInvalid,
            FailureReasonCode = ReasonCodes.TlsaNoMatch,
            ReceivingAddress = IPAddress.Parse("203.0.113.1"),
            Tlsa = Tlsa(TlsaLookupStatus.Usable, _ee),
            Timestamp = At(9),
        });

        var report = await _h.ReportAsync(Domain);

        var policy = Assert.Single(report!.Policies);
        Assert.Equal(TlsRptPolicyType.Tlsa, policy.PolicyType);
        Assert.Equal((0L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        var detail = Assert.Single(policy.FailureDetails);
        Assert.Equal(("tlsa-invalid", "tlsa-no-match", Mx), (detail.ResultType, detail.FailureReasonCode, detail.ReceivingMxHostname));
    }

    [Fact]
    public async Task Record_IndeterminateTlsaBeforeAnySession_DnssecInvalidUnderTlsaWithoutPolicyStrings()
    {
        _h.Collector.Record(new SmtpSessionOutcome(Domain, Sessions.Under(Domain, _enforce), Mx)
        {
            ResultType = TlsRptResultType.DnssecInvalid,
            FailureReasonCode = ReasonCodes.TlsaLookupFailed,
            Tlsa = new TlsaLookupResult(TlsaLookupStatus.Indeterminate, Mx, AddressLookupResult.Found([IPAddress.Loopback]), [], error: "dns-serverfailure"),
            Timestamp = At(9),
        });

        var report = await _h.ReportAsync(Domain);

        var policy = Assert.Single(report!.Policies);
        Assert.Equal((TlsRptPolicyType.Tlsa, Mx), (policy.PolicyType, policy.PolicyDomain));
        Assert.Empty(policy.PolicyStrings);
        Assert.Equal("dnssec-invalid", Assert.Single(policy.FailureDetails).ResultType);
    }

    [Fact]
    public async Task Record_TwoHostsWithTheirOwnRecords_TwoTlsaPolicies()
    {
        _h.Collector.Record(new SmtpSessionOutcome(Domain, Sessions.NoPolicy(Domain), Mx) { Succeeded = true, Tlsa = Tlsa(TlsaLookupStatus.Usable, _ee), Timestamp = At(9) });
        _h.Collector.Record(new SmtpSessionOutcome(Domain, Sessions.NoPolicy(Domain), "mx2.example.net")
        {
            Succeeded = true,
            Tlsa = new TlsaLookupResult(TlsaLookupStatus.Usable, "mx2.example.net", AddressLookupResult.Found([IPAddress.Loopback]), [_ee]),
            Timestamp = At(9),
        });
        _h.Collector.Record(new SmtpSessionOutcome(Domain, Sessions.NoPolicy(Domain), Mx) { Succeeded = true, Tlsa = Tlsa(TlsaLookupStatus.Usable, _ee), Timestamp = At(11) });

        var report = await _h.ReportAsync(Domain);

        Assert.Equal([(Mx, 2L), ("mx2.example.net", 1L)], report!.Policies.Select(p => (p.PolicyDomain!, p.TotalSuccessfulSessionCount)));
    }

    [Fact]
    public async Task Record_TlsaNetworkErrorBeforeTls_NotCounted()
    {
        _h.Collector.Record(new SmtpSessionOutcome(Domain, Sessions.NoPolicy(Domain), Mx) { Tlsa = Tlsa(TlsaLookupStatus.Usable, _ee), Timestamp = At(9) });

        Assert.Null(await _h.ReportAsync(Domain));
    }

    [Fact]
    public void TryDecode_TlsaCounterKey_RoundTrips()
    {
        var key = TlsReportCounterKey.Encode(TlsReportCounterKey.SuccessKind, TlsRptPolicyType.Tlsa, TlsaPolicyText.Encode(Tlsa(TlsaLookupStatus.Usable, _ee)));

        Assert.True(TlsReportCounterKey.TryDecode(key, out var decoded));
        Assert.Equal(TlsRptPolicyType.Tlsa, decoded.PolicyType);
        var (domain, records) = TlsaPolicyText.Decode(decoded.PolicyText!);
        Assert.Equal(Mx, domain);
        Assert.Equal([_ee.ToString()], records);
    }

    private static TlsaLookupResult Tlsa(TlsaLookupStatus status, params TlsaRecord[] records) =>
        new(status, Mx, AddressLookupResult.Found([IPAddress.Loopback]), records);
}
