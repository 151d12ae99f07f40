using static MtaSts.Tests.Reporting.CollectorHarness;

namespace MtaSts.Tests.Reporting;

/// <summary>What the collector counts, how it merges failures, and how it writes to the store (RFC 8460 §4, checklist H.6/H.7).</summary>
public sealed class TlsRptCollectorTests : IDisposable
{
    private const string Domain = "example.net";
    private readonly CollectorHarness _h = new();
    private readonly MtaStsPolicy _enforce = Sessions.Policy("enforce", "mx1.example.net", "*.backup.example.net");

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Record_ReportDelivery_NeverCounted()
    {
        // RFC 8460 §3 and Decision 32: sessions that deliver reports are not included in the next report.
        var sut = _h.Collector;
        sut.Record(new SmtpSessionOutcome(Domain, Sessions.NoPolicy(Domain), "mx1.example.net") { Succeeded = true, IsReportDelivery = true, Timestamp = At(9) });
        sut.Record(new SmtpSessionOutcome(Domain, Sessions.Under(Domain, _enforce), "mx1.example.net")
        {
            ResultType = TlsRptResultType.CertificateExpired,
            FailureReasonCode = "expired",
            IsReportDelivery = true,
            Timestamp = At(9),
        });

        Assert.Null(await _h.ReportAsync(Domain));
        Assert.Empty(await _h.Store.GetCountersAsync(Day));
    }

    [Fact]
    public async Task Record_SuccessUnderEnforce_StsPolicyWithItsLinesAndPatterns()
    {
        _h.Collector.Record(Sessions.Success(Sessions.Under(Domain, _enforce), "mx1.example.net", "203.0.113.1", At(9)));

        var report = await _h.ReportAsync(Domain);

        var policy = Assert.Single(report!.Policies);
        Assert.Equal(TlsRptPolicyType.Sts, policy.PolicyType);
        Assert.Equal(["version: STSv1", "mode: enforce", "mx: mx1.example.net", "mx: *.backup.example.net", "max_age: 86400"], policy.PolicyStrings);
        Assert.Equal(["mx1.example.net", "*.backup.example.net"], policy.MxHosts);
        Assert.Equal(Domain, policy.PolicyDomain);
        Assert.Equal((1L, 0L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        Assert.Empty(policy.FailureDetails);
    }

    [Fact]
    public async Task Record_FailureWithResultType_DetailCarriesEveryIdentifyingField()
    {
        _h.Collector.Record(Sessions.Failure(Sessions.Under(Domain, _enforce), "MX1.example.net.", "2001:db8::25", TlsRptResultType.CertificateHostMismatch, "san-mismatch", At(9), helo: "mx1.example.net"));

        var report = await _h.ReportAsync(Domain);

        var policy = Assert.Single(report!.Policies);
        Assert.Equal((0L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        var detail = Assert.Single(policy.FailureDetails);
        Assert.Equal("certificate-host-mismatch", detail.ResultType);
        Assert.Equal("192.0.2.10", detail.SendingMtaIp);
        Assert.Equal("mx1.example.net", detail.ReceivingMxHostname);
        Assert.Equal("mx1.example.net", detail.ReceivingMxHelo);
        Assert.Equal("2001:db8::25", detail.ReceivingIp);
        Assert.Equal(1, detail.FailedSessionCount);
        Assert.Equal("san-mismatch", detail.FailureReasonCode);
        Assert.Null(detail.AdditionalInformation);
    }

    [Fact]
    public async Task Record_SameFailureTwiceAndAnotherReason_MergedByIdentifyingFields()
    {
        var resolution = Sessions.Under(Domain, _enforce);
        _h.Collector.Record(Sessions.Failure(resolution, "mx1.example.net", "203.0.113.1", TlsRptResultType.ValidationFailure, "mx-not-in-policy", At(9)));
        _h.Collector.Record(Sessions.Failure(resolution, "mx1.example.net", "203.0.113.1", TlsRptResultType.ValidationFailure, "mx-not-in-policy", At(10)));
        _h.Collector.Record(Sessions.Failure(resolution, "mx1.example.net", "203.0.113.1", TlsRptResultType.ValidationFailure, "tls-handshake-failed: IOException", At(11)));

        var policy = Assert.Single((await _h.ReportAsync(Domain))!.Policies);

        Assert.Equal(3, policy.TotalFailureSessionCount);
        Assert.Equal([("mx-not-in-policy", 2L), ("tls-handshake-failed: IOException", 1L)], policy.FailureDetails.Select(d => (d.FailureReasonCode!, d.FailedSessionCount)));
    }

    [Fact]
    public async Task Record_NoTlsAndNoResultTypeUnderTesting_NotCountedAsTransient()
    {
        // RFC 8460 §4.3.4: a network or SMTP error before TLS under a policy is transient and need not be reported.
        var testing = Sessions.Under(Domain, Sessions.Policy("testing", "mx1.example.net"));
        _h.Collector.Record(Sessions.WithoutTls(testing, "mx1.example.net", "203.0.113.1", At(9)));

        Assert.Null(await _h.ReportAsync(Domain));
    }

    [Fact]
    public async Task Record_NoTlsUnderNoPolicy_NoPolicyFoundFailureWithoutDetail()
    {
        _h.Collector.Record(Sessions.WithoutTls(Sessions.NoPolicy(Domain), "mx1.example.net", "203.0.113.1", At(9)));
        _h.Collector.Record(Sessions.Success(Sessions.NoPolicy(Domain), "mx1.example.net", "203.0.113.1", At(9)));

        var policy = Assert.Single((await _h.ReportAsync(Domain))!.Policies);

        Assert.Equal(TlsRptPolicyType.NoPolicyFound, policy.PolicyType);
        Assert.Equal(Domain, policy.PolicyDomain);
        Assert.Empty(policy.PolicyStrings);
        Assert.Empty(policy.MxHosts);
        Assert.Equal((1L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        Assert.Empty(policy.FailureDetails);
    }

    [Fact]
    public async Task Record_FetchErrorWithNothingCached_StsWithoutPolicyStringAndFetchErrorDetail()
    {
        var failed = Sessions.NoPolicy(Domain, TlsRptResultType.StsPolicyFetchError, "http-status-404");
        _h.Collector.Record(Sessions.Success(failed, "mx1.example.net", "203.0.113.1", At(9)));

        var policy = Assert.Single((await _h.ReportAsync(Domain))!.Policies);

        Assert.Equal(TlsRptPolicyType.Sts, policy.PolicyType);
        Assert.Empty(policy.PolicyStrings);
        Assert.Empty(policy.MxHosts);
        Assert.Equal((0L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        var detail = Assert.Single(policy.FailureDetails);
        Assert.Equal(("sts-policy-fetch-error", "http-status-404", "mx1.example.net", "192.0.2.10"), (detail.ResultType, detail.FailureReasonCode!, detail.ReceivingMxHostname!, detail.SendingMtaIp!));
    }

    [Fact]
    public async Task Record_CachedPolicyKeptAfterWebPkiFailureAndTlsFailure_OneFailedSessionTwoDetails()
    {
        // RFC 8460 §4: "failure types are non-exclusive": one session, two details, one failed session.
        var kept = Sessions.Under(Domain, _enforce, TlsRptResultType.StsWebPkiInvalid, "certificate-expired");
        _h.Collector.Record(Sessions.Failure(kept, "mx1.example.net", "203.0.113.1", TlsRptResultType.StartTlsNotSupported, "starttls-not-supported", At(9)));

        var policy = Assert.Single((await _h.ReportAsync(Domain))!.Policies);

        Assert.Equal(_enforce.Lines, policy.PolicyStrings);
        Assert.Equal((0L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        Assert.Equal(["starttls-not-supported", "sts-webpki-invalid"], policy.FailureDetails.Select(d => d.ResultType));
    }

    [Fact]
    public async Task Record_TwoPolicyObjectsWithTheSameTextAndANewPolicy_SameTextMergedNewOneApart()
    {
        var again = Sessions.Policy("enforce", "mx1.example.net", "*.backup.example.net");
        var changed = Sessions.Policy("testing", "mx1.example.net");
        _h.Collector.Record(Sessions.Success(Sessions.Under(Domain, _enforce), "mx1.example.net", "203.0.113.1", At(9)));
        _h.Collector.Record(Sessions.Success(Sessions.Under(Domain, again), "mx1.example.net", "203.0.113.1", At(10)));
        _h.Collector.Record(Sessions.Success(Sessions.Under(Domain, changed), "mx1.example.net", "203.0.113.1", At(11)));

        var policies = (await _h.ReportAsync(Domain))!.Policies;

        Assert.Equal(2, policies.Count);
        Assert.Equal(2, policies.Single(p => p.PolicyStrings.Contains("mode: enforce")).TotalSuccessfulSessionCount);
        Assert.Equal(1, policies.Single(p => p.PolicyStrings.Contains("mode: testing")).TotalSuccessfulSessionCount);
    }

    [Fact]
    public async Task Record_EitherSideOfMidnight_CountedOnTheDayOfTheTimestamp()
    {
        var resolution = Sessions.Under(Domain, _enforce);
        _h.Collector.Record(Sessions.Success(resolution, "mx1.example.net", "203.0.113.1", At(23, 59)));
        _h.Collector.Record(Sessions.Success(resolution, "mx1.example.net", "203.0.113.1", At(23, 59).AddMinutes(2)));

        Assert.Equal(1, (await _h.ReportAsync(Domain, Day))!.Policies[0].TotalSuccessfulSessionCount);
        Assert.Equal(1, (await _h.ReportAsync(Domain, Day.AddDays(1)))!.Policies[0].TotalSuccessfulSessionCount);
    }

    [Fact]
    public async Task FlushAsync_Twice_StoresOnlyWhatChangedInBetween()
    {
        var resolution = Sessions.Under(Domain, _enforce);
        _h.Collector.Record(Sessions.Success(resolution, "mx1.example.net", "203.0.113.1", At(9)));
        await _h.Collector.FlushAsync(CancellationToken.None);
        await _h.Collector.FlushAsync(CancellationToken.None);
        _h.Collector.Record(Sessions.Success(resolution, "mx1.example.net", "203.0.113.1", At(9)));
        await _h.Collector.FlushAsync(CancellationToken.None);

        var counter = Assert.Single(await _h.Store.GetCountersAsync(Day));

        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task FlushAsync_StoreFails_CountsKeptAndWrittenByTheNextFlush()
    {
        var store = new FailingStore();
        using var h = new CollectorHarness(store);
        h.Collector.Record(Sessions.Failure(Sessions.Under(Domain, _enforce), "mx1.example.net", "203.0.113.1", TlsRptResultType.CertificateExpired, "expired", At(9)));
        store.FailNext = true;

        await Assert.ThrowsAsync<IOException>(() => h.Collector.FlushAsync(CancellationToken.None));
        var report = await h.ReportAsync(Domain);

        Assert.Equal(1, report!.Policies[0].TotalFailureSessionCount);
        Assert.Equal(1, report.Policies[0].FailureDetails[0].FailedSessionCount);
    }

    [Fact]
    public async Task FlushAsync_DaysBeforeYesterdayFullyStored_ForgottenFromMemory()
    {
        _h.Collector.Record(Sessions.Success(Sessions.Under(Domain, _enforce), "mx1.example.net", "203.0.113.1", At(9)));
        await _h.Collector.FlushAsync(CancellationToken.None);
        Assert.Equal(1, _h.Collector.DomainDayCount);

        _h.Time.Advance(TimeSpan.FromDays(2));
        await _h.Collector.FlushAsync(CancellationToken.None);

        Assert.Equal(0, _h.Collector.DomainDayCount);
        Assert.Equal(1, (await _h.ReportAsync(Domain))!.Policies[0].TotalSuccessfulSessionCount);
    }

    [Fact]
    public void Record_SteadyState_AllocatesNothing()
    {
        var resolution = Sessions.Under(Domain, _enforce);
        var success = Sessions.Success(resolution, "mx1.example.net", "203.0.113.1", At(9));
        var failure = Sessions.Failure(resolution, "mx1.example.net", "203.0.113.1", TlsRptResultType.CertificateExpired, "expired", At(9));
        var noPolicy = Sessions.Success(Sessions.NoPolicy("example.org"), "mx.example.org", "203.0.113.2", At(9));
        for (var i = 0; i < 100; i++)
        {
            _h.Collector.Record(success);
            _h.Collector.Record(failure);
            _h.Collector.Record(noPolicy);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            _h.Collector.Record(success);
            _h.Collector.Record(failure);
            _h.Collector.Record(noPolicy);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Record_NullOutcome_Ignored()
    {
        _h.Collector.Record(null!);

        Assert.Equal(0, _h.Collector.DomainDayCount);
    }

    /// <summary>A memory store whose next write can be made to fail.</summary>
    private sealed class FailingStore : ITlsReportStore
    {
        private readonly MemoryTlsReportStore _inner = new();

        public bool FailNext { get; set; }

        public ValueTask AddCountersAsync(IReadOnlyList<TlsReportCounter> counters, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk full");
            }

            return _inner.AddCountersAsync(counters, cancellationToken);
        }

        public ValueTask<IReadOnlyList<TlsReportCounter>> GetCountersAsync(DateOnly day, string? policyDomain = null, CancellationToken cancellationToken = default) =>
            _inner.GetCountersAsync(day, policyDomain, cancellationToken);

        public ValueTask<bool> TryMarkReportSentAsync(DateOnly day, string policyDomain, CancellationToken cancellationToken = default) =>
            _inner.TryMarkReportSentAsync(day, policyDomain, cancellationToken);

        public ValueTask RemoveBeforeAsync(DateOnly day, CancellationToken cancellationToken = default) =>
            _inner.RemoveBeforeAsync(day, cancellationToken);
    }
}
