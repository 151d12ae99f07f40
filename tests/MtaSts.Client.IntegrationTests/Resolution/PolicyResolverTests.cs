using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>
/// The resolver's cache and refresh decisions (22–27; checklist D, K.60–K.67) against the real Knot DNS and Kestrel
/// HTTPS servers, with fake time for expiry, back-off, re-check interval and refresh schedule. Every test asserts both
/// the resolution and the traffic the servers saw.
/// </summary>
[Collection(MtaStsCollection.Name)]
public sealed partial class PolicyResolverTests
{
    private readonly MtaStsEnvironment _env;

    public PolicyResolverTests(MtaStsEnvironment env) => _env = env;

    [Fact]
    public async Task ResolveAsync_IdRotatedAfterRecordCheckInterval_ServesOldPolicyAndFetchesNewOneInBackground()
    {
        var domain = await _env.AddDomainAsync(id: "A", policy: MtaStsEnvironment.Policy(mx: "old.example.net"));
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        var first = await sut.ResolveAsync(domain);
        await _env.SetIdAsync(domain, "B");
        _env.Https.SetPolicy(PolicyHost(domain), MtaStsEnvironment.Policy(mode: "testing", mx: "new.example.net"));

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var hit = sut.ResolveAsync(domain);
        var hitCompletedAtOnce = hit.IsCompletedSuccessfully;
        var during = await hit;
        for (var i = 0; i < 50; i++)
        {
            await sut.ResolveAsync(domain);
        }

        await Poll.UntilAsync(() => _env.Https.RequestCount(PolicyHost(domain)) == 2, "the background re-check to fetch the new policy");
        await Poll.UntilAsync(() => sut.IsIdle, "the background re-check to finish");
        var after = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.Equal("A", first.PolicyId);

        // Decision 25: the cached policy is returned without waiting on the re-check.
        Assert.True(hitCompletedAtOnce);
        Assert.Equal(PolicyResolutionStatus.Cached, during.Status);
        Assert.Equal("A", during.PolicyId);
        Assert.True(during.IsEnforced);

        Assert.Equal(PolicyResolutionStatus.Cached, after.Status);
        Assert.Equal("B", after.PolicyId);
        Assert.Equal(MtaStsMode.Testing, after.Mode);
        Assert.True(after.Policy!.MatchesMx("new.example.net"));
        Assert.False(after.Policy.MatchesMx("old.example.net"));
        Assert.Equal(time.GetUtcNow(), after.FetchedAt);
        Assert.Null(after.FailureResultType);

        // At most one re-check per interval, however many hits.
        Assert.Equal(2, TxtQueries(domain));
        Assert.Equal(2, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_ManyHitsWithinRecordCheckInterval_NeverRechecksTxt()
    {
        var domain = await _env.AddDomainAsync(id: "A");
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);
        await _env.SetIdAsync(domain, "B");

        var results = new List<PolicyResolution>();
        for (var i = 0; i < 100; i++)
        {
            results.Add(await sut.ResolveAsync(domain));
            if (i == 50)
            {
                time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
            }
        }

        // A background check would be marked running at once, before its query leaves.
        Assert.True(sut.IsIdle);
        Assert.All(results, r => Assert.Equal(PolicyResolutionStatus.Cached, r.Status));
        Assert.All(results, r => Assert.Equal("A", r.PolicyId));
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RecheckAsync_TxtRecordRemovedWhileEnforceCached_KeepsEnforceUntilMaxAge(bool nodata)
    {
        // K.60 / checklist D.5: NXDOMAIN (no name at all) or NODATA (the name holds only other types).
        var domain = await _env.AddDomainAsync(id: "A", policy: MtaStsEnvironment.Policy(maxAge: 86400));
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        var first = await sut.ResolveAsync(domain);
        await _env.SetRecordsAsync(domain, [], nodata ? ["_mta-sts 1 IN A 127.0.0.2"] : null);

        var recheck = await sut.RecheckAsync(domain);
        var hit = await sut.ResolveAsync(domain);
        time.Advance(TimeSpan.FromHours(23));
        var stillValid = await sut.RecheckAsync(domain);
        time.Advance(TimeSpan.FromHours(1));
        var expired = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, recheck.Status);
        Assert.True(recheck.IsEnforced);
        Assert.Equal("A", recheck.PolicyId);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, recheck.FailureResultType);
        Assert.Equal("txt-record-not-found", recheck.FailureReasonCode);
        Assert.Equal(PolicyResolutionStatus.Cached, hit.Status);
        Assert.True(hit.IsEnforced);
        Assert.Equal("txt-record-not-found", hit.FailureReasonCode);
        Assert.True(stillValid.IsEnforced);
        Assert.Equal(first.ExpiresAt, stillValid.ExpiresAt);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, expired.Status);
        Assert.Null(expired.Policy);
        Assert.False(expired.IsEnforced);
        Assert.Null(expired.FailureResultType);

        // One TXT query per resolution that went to the network; the removed record never causes a fetch.
        Assert.Equal(4, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task RecheckAsync_NewIdAndServerError_KeepsOldPolicyBacksOffFiveMinutesButFetchesNewIdAtOnce()
    {
        // K.61 and K.34 / Decision 22.
        var domain = await _env.AddDomainAsync(id: "A");
        var host = PolicyHost(domain);
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);
        await _env.SetIdAsync(domain, "B");
        _env.Https.SetResponse(host, PolicyResponse.Status(500));

        var failed = await sut.RecheckAsync(domain);
        var requestsAfterFailure = _env.Https.RequestCount(host);
        time.Advance(TimeSpan.FromMinutes(2));
        var backedOff = await sut.RecheckAsync(domain);
        var requestsWhileBackedOff = _env.Https.RequestCount(host);
        time.Advance(TimeSpan.FromMinutes(3));
        var retried = await sut.RecheckAsync(domain);
        var requestsAfterRetry = _env.Https.RequestCount(host);
        await _env.SetIdAsync(domain, "C");
        _env.Https.SetPolicy(host, MtaStsEnvironment.Policy(mode: "testing"));
        var newId = await sut.RecheckAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, failed.Status);
        Assert.Equal("A", failed.PolicyId);
        Assert.True(failed.IsEnforced);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, failed.FailureResultType);
        Assert.Equal("http-status-500", failed.FailureReasonCode);
        Assert.Equal(2, requestsAfterFailure);

        Assert.Equal("A", backedOff.PolicyId);
        Assert.True(backedOff.IsEnforced);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, backedOff.FailureResultType);
        Assert.Equal("fetch-backoff", backedOff.FailureReasonCode);
        Assert.Equal(2, requestsWhileBackedOff);

        Assert.Equal("A", retried.PolicyId);
        Assert.Equal("http-status-500", retried.FailureReasonCode);
        Assert.Equal(3, requestsAfterRetry);

        // Inside the back-off that the retry just renewed, a new id is fetched at once.
        Assert.Equal(PolicyResolutionStatus.Fetched, newId.Status);
        Assert.Equal("C", newId.PolicyId);
        Assert.Equal(MtaStsMode.Testing, newId.Mode);
        Assert.Null(newId.FailureResultType);
        Assert.Equal(4, _env.Https.RequestCount(host));
        Assert.Equal(5, TxtQueries(domain));
    }

    [Fact]
    public async Task RecheckAsync_IdReturnsWithinBackoffToOneThatFailed_DoesNotFetchItAgain()
    {
        // Decision 22: "no new fetch for the same (domain, id) for 5 minutes", also when another id failed in between
        // (ids that flap while name servers disagree during a rotation).
        var domain = await _env.AddDomainAsync(id: "A");
        var host = PolicyHost(domain);
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);
        _env.Https.SetResponse(host, PolicyResponse.Status(500));
        await _env.SetIdAsync(domain, "B");
        var failedB = await sut.RecheckAsync(domain);
        await _env.SetIdAsync(domain, "C");
        var failedC = await sut.RecheckAsync(domain);
        var requestsAfterFailures = _env.Https.RequestCount(host);

        time.Advance(TimeSpan.FromMinutes(1));
        await _env.SetIdAsync(domain, "B");
        var backAtB = await sut.RecheckAsync(domain);

        Assert.Equal("http-status-500", failedB.FailureReasonCode);
        Assert.Equal("http-status-500", failedC.FailureReasonCode);
        Assert.Equal(3, requestsAfterFailures);
        Assert.Equal("A", backAtB.PolicyId);
        Assert.True(backAtB.IsEnforced);
        Assert.Equal("fetch-backoff", backAtB.FailureReasonCode);
        Assert.Equal(3, _env.Https.RequestCount(host));
    }

    [Fact]
    public async Task RecheckAsync_PolicyReplacedByModeNone_ReplacesEnforceAndStaysNoneWithoutFailureWhenTxtRemoved()
    {
        // K.62 / checklist D.6.
        var domain = await _env.AddDomainAsync(id: "A");
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);
        await _env.SetIdAsync(domain, "B");
        _env.Https.SetPolicy(PolicyHost(domain), MtaStsEnvironment.Policy(mode: "none", maxAge: 86400));

        var replaced = await sut.RecheckAsync(domain);
        await _env.SetRecordsAsync(domain, []);
        time.Advance(TimeSpan.FromMinutes(1));
        var afterRemoval = await sut.RecheckAsync(domain);
        var hit = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, replaced.Status);
        Assert.Equal("B", replaced.PolicyId);
        Assert.Equal(MtaStsMode.None, replaced.Mode);
        Assert.False(replaced.IsEnforced);
        Assert.Equal(replaced.FetchedAt!.Value.AddDays(1), replaced.ExpiresAt);

        Assert.Equal(PolicyResolutionStatus.Cached, afterRemoval.Status);
        Assert.Equal(MtaStsMode.None, afterRemoval.Mode);
        Assert.Null(afterRemoval.FailureResultType);
        Assert.Null(afterRemoval.FailureReasonCode);
        Assert.Equal(replaced.ExpiresAt, afterRemoval.ExpiresAt);
        Assert.Equal(MtaStsMode.None, hit.Mode);
        Assert.Null(hit.FailureResultType);

        Assert.Equal(3, TxtQueries(domain));
        Assert.Equal(2, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_CachedPolicyExpired_NoPolicyWhenFetchFailsOrTxtMissing()
    {
        // K.63.
        var domain = await _env.AddDomainAsync(id: "A", policy: MtaStsEnvironment.Policy(maxAge: 3600));
        var host = PolicyHost(domain);
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);
        time.Advance(TimeSpan.FromHours(2));
        _env.Https.SetResponse(host, PolicyResponse.Status(404));

        var fetchFails = await sut.ResolveAsync(domain);
        await _env.SetRecordsAsync(domain, []);
        var recordGone = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, fetchFails.Status);
        Assert.Null(fetchFails.Policy);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, fetchFails.FailureResultType);
        Assert.Equal("http-status-404", fetchFails.FailureReasonCode);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, recordGone.Status);
        Assert.Null(recordGone.Policy);
        Assert.Null(recordGone.FailureResultType);

        Assert.Equal(3, TxtQueries(domain));
        Assert.Equal(2, _env.Https.RequestCount(host));
    }

    [Fact]
    public async Task RefreshDueAsync_UnchangedIdAfterADay_RefetchesOverHttpsAndExtendsExpiry()
    {
        // K.64 / Decision 27.
        var domain = await _env.AddDomainAsync(id: "A", policy: MtaStsEnvironment.Policy(maxAge: 604800));
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        var first = await sut.ResolveAsync(domain);

        time.Advance(TimeSpan.FromHours(12));
        var notDue = await sut.RefreshDueAsync(CancellationToken.None);
        var requestsBeforeDue = _env.Https.RequestCount(PolicyHost(domain));
        time.Advance(TimeSpan.FromHours(12));
        var due = await sut.RefreshDueAsync(CancellationToken.None);
        var after = await sut.ResolveAsync(domain);

        Assert.Equal(0, notDue);
        Assert.Equal(1, requestsBeforeDue);
        Assert.Equal(1, due);
        Assert.Equal(PolicyResolutionStatus.Cached, after.Status);
        Assert.Equal("A", after.PolicyId);
        Assert.Equal(time.GetUtcNow(), after.FetchedAt);
        Assert.Equal(first.ExpiresAt!.Value.AddDays(1), after.ExpiresAt);
        Assert.Equal(2, _env.Https.RequestCount(PolicyHost(domain)));
        Assert.Equal(2, TxtQueries(domain));
    }

    [Fact]
    public async Task RefreshDueAsync_TxtRecordMissing_StillRefetchesAndExtendsExpiry()
    {
        // Checklist D.7: refresh "regardless of the state of the TXT record".
        var domain = await _env.AddDomainAsync(id: "A", policy: MtaStsEnvironment.Policy(maxAge: 604800));
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        var first = await sut.ResolveAsync(domain);
        await _env.SetRecordsAsync(domain, []);
        time.Advance(TimeSpan.FromDays(1));

        var refreshed = await sut.RefreshDueAsync(CancellationToken.None);
        var after = await sut.ResolveAsync(domain);

        Assert.Equal(1, refreshed);
        Assert.Equal("A", after.PolicyId);
        Assert.True(after.IsEnforced);
        Assert.Equal(first.ExpiresAt!.Value.AddDays(1), after.ExpiresAt);
        Assert.Equal(2, _env.Https.RequestCount(PolicyHost(domain)));
        Assert.Equal(2, TxtQueries(domain));
    }

    [Fact]
    public async Task RecheckAsync_TwoStsRecordsWhileCached_KeepsCachedPolicyAndReportsMultiple()
    {
        // K.65 / K.18 / Decision 2.
        var domain = await _env.AddDomainAsync(id: "A");
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);
        await _env.SetRecordsAsync(domain, ["v=STSv1; id=A", "v=STSv1; id=B"]);

        var result = await sut.RecheckAsync(domain);
        var hit = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, result.Status);
        Assert.Equal("A", result.PolicyId);
        Assert.True(result.IsEnforced);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, result.FailureResultType);
        Assert.Equal("txt-record-multiple", result.FailureReasonCode);
        Assert.Equal("txt-record-multiple", hit.FailureReasonCode);
        Assert.Equal(2, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task RecheckAsync_BeforeBounce_SameIdMakesNoRequestNewIdFetchesAtOnce()
    {
        // K.67 / Decision 26: checked synchronously, whatever the re-check interval says.
        var domain = await _env.AddDomainAsync(id: "A", policy: MtaStsEnvironment.Policy(mx: "old.example.net"));
        var time = NewTime();
        await using var scope = EnvironmentResolver.Create(_env, time);
        var sut = scope.Resolver;
        await sut.ResolveAsync(domain);

        var unchanged = await sut.RecheckAsync(domain);
        var requestsAfterUnchanged = _env.Https.RequestCount(PolicyHost(domain));
        await _env.SetIdAsync(domain, "B");
        _env.Https.SetPolicy(PolicyHost(domain), MtaStsEnvironment.Policy(mx: "new.example.net"));
        var changed = await sut.RecheckAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, unchanged.Status);
        Assert.Equal("A", unchanged.PolicyId);
        Assert.Null(unchanged.FailureResultType);
        Assert.Equal(1, requestsAfterUnchanged);
        Assert.Equal(PolicyResolutionStatus.Fetched, changed.Status);
        Assert.Equal("B", changed.PolicyId);
        Assert.True(changed.Policy!.MatchesMx("new.example.net"));
        Assert.False(changed.Policy.MatchesMx("old.example.net"));
        Assert.Equal(3, TxtQueries(domain));
        Assert.Equal(2, _env.Https.RequestCount(PolicyHost(domain)));
    }

    /// <summary>Fake time starting now: certificates are checked against it.</summary>
    private static FakeTimeProvider NewTime() => new(TimeProvider.System.GetUtcNow());

    private static string PolicyHost(string domain) => "mta-sts." + domain;

    private int TxtQueries(string domain) => _env.Dns.QueryCount("_mta-sts." + domain, "TXT");
}
