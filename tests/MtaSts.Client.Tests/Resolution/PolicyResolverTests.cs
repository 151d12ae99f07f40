using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>The resolver's decisions (1–6, 22–27) over fakes at its DNS and fetch seams, with fake time.</summary>
public sealed class PolicyResolverTests : IDisposable
{
    private const string Domain = "example.com";
    private readonly ResolverHarness _h = new();

    private PolicyResolver Sut => _h.Resolver;

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task ResolveAsync_NoTxtRecord_ReturnsNoPolicyWithoutFetching()
    {
        _h.Dns.SetNotFound(Domain);

        var result = await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, result.Status);
        Assert.Null(result.Policy);
        Assert.Null(result.FailureResultType);
        Assert.Equal(0, _h.Fetcher.TotalFetches);
    }

    [Fact]
    public async Task ResolveAsync_ValidRecord_FetchesOnceThenServesFromCache()
    {
        _h.Dns.SetId(Domain, "abc");
        _h.Fetcher.SetPolicy(Domain);

        var first = await Sut.ResolveAsync(Domain);
        var second = await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.Equal("abc", first.PolicyId);
        Assert.Equal(MtaStsMode.Enforce, first.Mode);
        Assert.True(first.IsEnforced);
        Assert.Equal(_h.Time.GetUtcNow(), first.FetchedAt);
        Assert.Equal(_h.Time.GetUtcNow().AddDays(1), first.ExpiresAt);
        Assert.Equal(PolicyResolutionStatus.Cached, second.Status);
        Assert.Same(first.Policy, second.Policy);
        Assert.Equal(1, _h.Dns.TxtQueries);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_TxtIdChangesDuringTheFetch_KeepsTheIdSeenBeforeTheFetch()
    {
        // Checklist D.10 (RFC 8461 §8.1): the body fetched belongs to the id seen before the fetch; a newer id published
        // meanwhile is fetched by a later check, never attached to an older body.
        _h.Dns.SetId(Domain, "before");
        _h.Fetcher.SetResult(Domain, () =>
        {
            _h.Dns.SetId(Domain, "after");
            return PolicyFetchResult.Success(MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx.example.com\n"));
        });

        var result = await Sut.ResolveAsync(Domain);
        var recheck = await Sut.RecheckAsync(Domain);

        Assert.Equal("before", result.PolicyId);
        Assert.Equal("after", recheck.PolicyId);
        Assert.Equal(2, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_CacheHit_CompletesSynchronouslyWithTheSameInstance()
    {
        _h.Dns.SetId(Domain, "abc");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);

        var hit1 = Sut.ResolveAsync(Domain);
        var hit2 = Sut.ResolveAsync(Domain);

        // Decision 25: a valid cached policy is returned without waiting on I/O (and without allocating a new result).
        Assert.True(hit1.IsCompletedSuccessfully);
        Assert.True(hit2.IsCompletedSuccessfully);
        Assert.Same(await hit1, await hit2);
    }

    [Fact]
    public async Task ResolveAsync_DomainInOtherForms_NormalisesToOneCacheEntry()
    {
        _h.Dns.SetId(Domain, "abc");
        _h.Fetcher.SetPolicy(Domain);
        _h.Dns.SetId("xn--bcher-kva.example", "u1");
        _h.Fetcher.SetPolicy("xn--bcher-kva.example");

        await Sut.ResolveAsync("EXAMPLE.com.");
        var again = await Sut.ResolveAsync(" example.COM ");
        var idn = await Sut.ResolveAsync("Bücher.example");
        var idnAscii = await Sut.ResolveAsync("xn--bcher-kva.example");

        Assert.Equal(Domain, again.PolicyDomain);
        Assert.Equal(PolicyResolutionStatus.Cached, again.Status);
        Assert.Equal("xn--bcher-kva.example", idn.PolicyDomain);
        Assert.Equal(PolicyResolutionStatus.Cached, idnAscii.Status);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));
        Assert.Equal(1, _h.Fetcher.Fetches("xn--bcher-kva.example"));
    }

    [Theory]
    [InlineData("[192.0.2.1]")]
    [InlineData("192.0.2.1")]
    [InlineData("2001:db8::1")]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("exa mple.com")]
    [InlineData("-bad.example")]
    [InlineData("a..example")]
    public async Task ResolveAsync_NotADomainName_ThrowsArgumentException(string domain)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Sut.ResolveAsync(domain));

        Assert.Equal("policyDomain", ex.ParamName);
        Assert.Equal(0, _h.Dns.TxtQueries);
    }

    [Fact]
    public async Task ResolveAsync_Null_ThrowsArgumentNullException()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Sut.ResolveAsync(null!));
    }

    [Fact]
    public async Task ResolveAsync_CacheHitAfterRecordCheckInterval_RechecksTxtOnceInBackground()
    {
        _h.Dns.SetId(Domain, "abc");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);

        _h.Time.Advance(TimeSpan.FromMinutes(4));
        await Sut.ResolveAsync(Domain);
        await _h.WaitIdleAsync();
        Assert.Equal(1, _h.Dns.TxtQueries);

        _h.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(PolicyResolutionStatus.Cached, (await Sut.ResolveAsync(Domain)).Status);
        }

        await _h.WaitIdleAsync();

        // Decision 25: at most once per record-check interval, and an unchanged id fetches nothing.
        Assert.Equal(2, _h.Dns.TxtQueries);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_IdChangedSeenByBackgroundCheck_FetchesNewPolicy()
    {
        _h.Dns.SetId(Domain, "v1");
        _h.Fetcher.SetPolicy(Domain, "testing");
        await Sut.ResolveAsync(Domain);

        _h.Dns.SetId(Domain, "v2");
        _h.Fetcher.SetPolicy(Domain, "enforce");
        _h.Time.Advance(TimeSpan.FromMinutes(6));
        var during = await Sut.ResolveAsync(Domain);
        await _h.WaitIdleAsync();
        var after = await Sut.ResolveAsync(Domain);

        Assert.Equal(MtaStsMode.Testing, during.Mode);
        Assert.Equal("v2", after.PolicyId);
        Assert.Equal(MtaStsMode.Enforce, after.Mode);
        Assert.Equal(2, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_TxtRecordRemoved_KeepsCachedEnforcePolicyAndReportsFetchError()
    {
        // K.60 / checklist D.5.
        _h.Dns.SetId(Domain, "a");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);

        _h.Dns.SetNotFound(Domain);
        var recheck = await Sut.RecheckAsync(Domain);
        var hit = await Sut.ResolveAsync(Domain);

        Assert.Equal(MtaStsMode.Enforce, recheck.Mode);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, recheck.FailureResultType);
        Assert.Equal("txt-record-not-found", recheck.FailureReasonCode);
        Assert.Equal(PolicyResolutionStatus.Cached, hit.Status);
        Assert.True(hit.IsEnforced);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, hit.FailureResultType);

        // Until it expires.
        _h.Time.Advance(TimeSpan.FromDays(1));
        var expired = await Sut.ResolveAsync(Domain);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, expired.Status);
        Assert.Null(expired.Policy);
        Assert.Empty(_h.Store.Snapshot());
    }

    [Fact]
    public async Task ResolveAsync_NewIdAndFetchFails_KeepsOldPolicyAndBacksOffFiveMinutes()
    {
        // K.61 / Decision 22.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetId(Domain, "B");
        _h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("http-status-500", transient: true));

        var failed = await Sut.RecheckAsync(Domain);
        _h.Time.Advance(TimeSpan.FromMinutes(4));
        var backedOff = await Sut.RecheckAsync(Domain);

        Assert.Equal("A", failed.PolicyId);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, failed.FailureResultType);
        Assert.Equal("http-status-500", failed.FailureReasonCode);
        Assert.Equal("A", backedOff.PolicyId);
        Assert.Equal("fetch-backoff", backedOff.FailureReasonCode);
        Assert.Equal(2, _h.Fetcher.Fetches(Domain));

        _h.Time.Advance(TimeSpan.FromMinutes(1));
        _h.Fetcher.SetPolicy(Domain, "testing");
        var retried = await Sut.RecheckAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, retried.Status);
        Assert.Equal("B", retried.PolicyId);
        Assert.Null(retried.FailureResultType);
        Assert.Equal(3, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_FetchFailsForIdThenSameIdWithinBackoff_DoesNotFetchButNewIdDoes()
    {
        // K.34.
        _h.Dns.SetId(Domain, "X");
        var first = await Sut.ResolveAsync(Domain);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, first.Status);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, first.FailureResultType);

        _h.Time.Advance(TimeSpan.FromMinutes(2));
        var second = await Sut.ResolveAsync(Domain);
        Assert.Equal("fetch-backoff", second.FailureReasonCode);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));

        _h.Dns.SetId(Domain, "Y");
        _h.Fetcher.SetPolicy(Domain);
        var third = await Sut.ResolveAsync(Domain);
        Assert.Equal(PolicyResolutionStatus.Fetched, third.Status);
        Assert.Equal(2, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_FetchedModeNone_ReplacesCachedEnforcePolicyAndReportsNothing()
    {
        // K.62 / checklist D.6.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetId(Domain, "B");
        _h.Fetcher.SetPolicy(Domain, "none", maxAge: 86400);

        var replaced = await Sut.RecheckAsync(Domain);
        _h.Dns.SetNotFound(Domain);
        var afterRemoval = await Sut.RecheckAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, replaced.Status);
        Assert.Equal(MtaStsMode.None, replaced.Mode);
        Assert.False(replaced.IsEnforced);
        Assert.Equal(MtaStsMode.None, afterRemoval.Mode);
        Assert.Null(afterRemoval.FailureResultType);
        Assert.Equal(_h.Time.GetUtcNow().AddDays(1), afterRemoval.ExpiresAt);
    }

    [Fact]
    public async Task ResolveAsync_ExpiredPolicy_BehavesAsNoPolicyWhenRecordGoneOrFetchFails()
    {
        // K.63.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 3600);
        await Sut.ResolveAsync(Domain);
        _h.Time.Advance(TimeSpan.FromHours(2));

        _h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("http-status-404"));
        var fetchFails = await Sut.ResolveAsync(Domain);
        _h.Dns.SetNotFound(Domain);
        var recordGone = await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, fetchFails.Status);
        Assert.Null(fetchFails.Policy);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, fetchFails.FailureResultType);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, recordGone.Status);
        Assert.Null(recordGone.FailureResultType);
    }

    [Fact]
    public async Task RefreshDueAsync_UnchangedIdAfterADay_RefetchesAndExtendsExpiry()
    {
        // K.64 / Decision 27.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 604800);
        var first = await Sut.ResolveAsync(Domain);

        _h.Time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(0, await Sut.RefreshDueAsync(CancellationToken.None));
        _h.Time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(1, await Sut.RefreshDueAsync(CancellationToken.None));
        var after = await Sut.ResolveAsync(Domain);

        Assert.Equal(2, _h.Fetcher.Fetches(Domain));
        Assert.Equal("A", after.PolicyId);
        Assert.Equal(first.ExpiresAt!.Value.AddDays(1), after.ExpiresAt);
    }

    [Fact]
    public async Task RefreshDueAsync_TxtRecordMissing_StillRefetches()
    {
        // Checklist D.7: refresh "regardless of the state of the TXT record".
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 604800);
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetTemporaryFailure(Domain);
        _h.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(1, await Sut.RefreshDueAsync(CancellationToken.None));
        Assert.Equal("A", (await Sut.ResolveAsync(Domain)).PolicyId);
    }

    [Fact]
    public async Task RefreshDueAsync_FetchFails_KeepsPolicyAndCountsFailure()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 604800);
        var first = await Sut.ResolveAsync(Domain);
        _h.Fetcher.SetResult(Domain, PolicyFetchResult.WebPkiInvalid("untrusted-root"));
        _h.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(0, await Sut.RefreshDueAsync(CancellationToken.None));
        var after = await Sut.ResolveAsync(Domain);

        Assert.Equal(first.ExpiresAt, after.ExpiresAt);
        Assert.True(after.IsEnforced);
        Assert.Equal(TlsRptResultType.StsWebPkiInvalid, after.FailureResultType);
    }

    [Fact]
    public async Task RefreshDueAsync_EntryUnusedFor180Days_DropsIt()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 31557600);
        _h.Dns.SetId("used.example", "B");
        _h.Fetcher.SetPolicy("used.example", maxAge: 31557600);
        await Sut.ResolveAsync(Domain);
        await Sut.ResolveAsync("used.example");

        for (var day = 0; day < 181; day += 10)
        {
            _h.Time.Advance(TimeSpan.FromDays(10));
            await Sut.ResolveAsync("used.example");
            await Sut.RefreshDueAsync(CancellationToken.None);
        }

        var domains = _h.Store.Snapshot().Select(e => e.PolicyDomain).ToList();
        Assert.Equal(["used.example"], domains);
    }

    [Fact]
    public async Task ResolveAsync_TwoRecordsWhileCached_KeepsCachedPolicy()
    {
        // K.65.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetRecords(Domain, "v=STSv1; id=A", "v=STSv1; id=B");

        var result = await Sut.RecheckAsync(Domain);

        Assert.Equal("A", result.PolicyId);
        Assert.True(result.IsEnforced);
        Assert.Equal("txt-record-multiple", result.FailureReasonCode);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task RecheckAsync_NewIdBeforeBounce_FetchesAtOnce()
    {
        // K.67 / Decision 26: checked synchronously, whatever the re-check interval says.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, mx: "old.example.com");
        await Sut.ResolveAsync(Domain);

        var unchanged = await Sut.RecheckAsync(Domain);
        _h.Dns.SetId(Domain, "B");
        _h.Fetcher.SetPolicy(Domain, mx: "new.example.com");
        var changed = await Sut.RecheckAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Cached, unchanged.Status);
        Assert.Equal(PolicyResolutionStatus.Fetched, changed.Status);
        Assert.True(changed.Policy!.MatchesMx("new.example.com"));
        Assert.Equal(3, _h.Dns.TxtQueries);
    }

    public static TheoryData<string> FailureNames() => [.. FailureCases.Keys];

    private static readonly Dictionary<string, (Action<ResolverHarness> Fail, TlsRptResultType Type, string Reason)> FailureCases = new()
    {
        ["dns temporary failure"] = (h => h.Dns.SetTemporaryFailure(Domain), TlsRptResultType.StsPolicyFetchError, "dns-serverfailure"),
        ["record invalid"] = (h => h.Dns.SetRecords(Domain, "v=STSv1; id=bad-id"), TlsRptResultType.StsPolicyFetchError, "txt-record-invalid"),
        ["record not found"] = (h => h.Dns.SetNotFound(Domain), TlsRptResultType.StsPolicyFetchError, "txt-record-not-found"),
        ["fetch error"] = (h => { h.Dns.SetId(Domain, "B"); h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("timeout")); }, TlsRptResultType.StsPolicyFetchError, "timeout"),
        ["policy invalid"] = (h => { h.Dns.SetId(Domain, "B"); h.Fetcher.SetResult(Domain, PolicyFetchResult.Invalid("policy-syntax: x")); }, TlsRptResultType.StsPolicyInvalid, "policy-syntax: x"),
        ["webpki invalid"] = (h => { h.Dns.SetId(Domain, "B"); h.Fetcher.SetResult(Domain, PolicyFetchResult.WebPkiInvalid("certificate-expired")); }, TlsRptResultType.StsWebPkiInvalid, "certificate-expired"),
    };

    [Theory]
    [MemberData(nameof(FailureNames))]
    public async Task RecheckAsync_AnyFailure_NeverDiscardsValidCachedPolicy(string name)
    {
        var (fail, type, reason) = FailureCases[name];
        // Decision 24.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);
        fail(_h);

        var result = await Sut.RecheckAsync(Domain);

        Assert.True(result.IsEnforced, name);
        Assert.Equal("A", result.PolicyId);
        Assert.Equal(type, result.FailureResultType);
        Assert.Equal(reason, result.FailureReasonCode);
        Assert.Single(_h.Store.Snapshot());
    }

    [Fact]
    public async Task ResolveAsync_TemporaryDnsFailureWithoutCache_NoPolicyByDefaultTemporaryFailureWhenConfigured()
    {
        // Decision 6.
        _h.Dns.SetTemporaryFailure(Domain);
        var byDefault = await Sut.ResolveAsync(Domain);

        using var deferring = new ResolverHarness(o => o.DeferOnTemporaryFailure = true);
        deferring.Dns.SetTemporaryFailure(Domain);
        var deferred = await deferring.Resolver.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, byDefault.Status);
        Assert.Equal(PolicyResolutionStatus.TemporaryFailure, deferred.Status);
        Assert.Null(deferred.Policy);
    }

    [Fact]
    public async Task ResolveAsync_MaxAgeZero_AppliesOnceAndIsNotCached()
    {
        // K.49.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 0);

        var first = await Sut.ResolveAsync(Domain);
        var second = await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.True(first.IsEnforced);
        Assert.Equal(PolicyResolutionStatus.Fetched, second.Status);
        Assert.Empty(_h.Store.Snapshot());
        Assert.Equal(2, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_ConcurrentCallsForUncachedDomain_ShareOneQueryAndOneFetch()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);
        _h.Dns.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var calls = Enumerable.Range(0, 200).Select(_ => Sut.ResolveAsync(Domain).AsTask()).ToList();
        _h.Dns.Gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal("A", r.PolicyId));
        Assert.Equal(1, _h.Dns.TxtQueries);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_OneCallerCancels_SharedFetchCompletesForTheOthers()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);
        _h.Fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();

        var cancelled = Sut.ResolveAsync(Domain, cts.Token).AsTask();
        var other = Sut.ResolveAsync(Domain).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _h.Fetcher.Gate.SetResult();

        Assert.Equal(PolicyResolutionStatus.Fetched, (await other).Status);
        Assert.Equal(1, _h.Fetcher.Fetches(Domain));
    }

    [Fact]
    public async Task ResolveAsync_AfterDispose_ThrowsObjectDisposedException()
    {
        Sut.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await Sut.ResolveAsync(Domain));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await Sut.RecheckAsync(Domain));
    }
}
