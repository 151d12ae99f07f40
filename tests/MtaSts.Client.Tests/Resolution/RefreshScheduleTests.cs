using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>
/// Issue-8 rule 3 (refresh follows <c>max_age</c>) and rule 11 (single-flight per kind of work), on fake time through the
/// real hosted refresh loop (<see cref="PolicyRefreshService"/>) and a resolver over fakes at its seams.
/// </summary>
public sealed class RefreshScheduleTests : IDisposable
{
    private const string Domain = "example.com";
    private readonly ResolverHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>
    /// Rule 3: with the policy host reachable and mail flowing, a policy in use is renewed before it expires, whatever its
    /// <c>max_age</c>: over 30 days, checked every minute, not one minute without a valid cached policy.
    /// </summary>
    [Theory]
    [InlineData(300)]
    [InlineData(3600)]
    [InlineData(86400)]
    [InlineData(604800)]
    public async Task Rule3_RefreshFollowsMaxAge_NoMinuteWithoutValidPolicyOver30Days(long maxAge)
    {
        using var service = await StartWithCachedPolicyAsync(maxAge: maxAge);

        var minutesWithout = 0;
        var firstWithout = -1;
        for (var minute = 1; minute <= 30 * 24 * 60; minute++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(1));
            await SettleAsync(service);
            if (!_h.Store.TryGetPolicy(Domain, out var entry) || !entry.IsValidAt(_h.Time.GetUtcNow().UtcTicks))
            {
                minutesWithout++;
                firstWithout = firstWithout < 0 ? minute : firstWithout;
            }

            // Mail goes to the domain every hour: the policy is in use.
            if (minute % 60 == 0)
            {
                await _h.Resolver.ResolveAsync(Domain);
            }
        }

        await service.StopAsync(CancellationToken.None);
        Assert.True(minutesWithout == 0, $"{minutesWithout} minutes without a valid policy, the first at minute {firstWithout}; {_h.Fetcher.Fetches(Domain)} fetches.");

        // Renewed at 90-100% of half its max_age (at most daily), seen at the next whole minute: not more often, not less.
        var interval = Math.Min(maxAge / 2, 86400);
        Assert.InRange(_h.Fetcher.Fetches(Domain), (30 * 86400) / (interval + 60), ((30 * 86400) / (interval * 9 / 10)) + 2);
    }

    /// <summary>Rule 3: a domain no mail goes to any more is not refreshed after <see cref="MtaStsOptions.RefreshUsedWithin"/>.</summary>
    [Fact]
    public async Task Rule3_UnusedDomain_NotRefreshedAfterTheWindow()
    {
        using var service = await StartWithCachedPolicyAsync(maxAge: 604800);
        var fetchesAfter = new Dictionary<int, int>();

        for (var hour = 1; hour <= 20 * 24; hour++)
        {
            _h.Time.Advance(TimeSpan.FromHours(1));
            await SettleAsync(service);
            fetchesAfter[hour] = _h.Fetcher.Fetches(Domain);
        }

        await service.StopAsync(CancellationToken.None);

        // Refreshed daily while used within the last 7 days (8 fetches with the first), then left alone.
        Assert.InRange(fetchesAfter[8 * 24], 7, 9);
        Assert.Equal(fetchesAfter[8 * 24], fetchesAfter[20 * 24]);
    }

    /// <summary>Rule 3: a refresh that fails is tried again after the fetch back-off, before the policy expires; the loop does not spin.</summary>
    [Fact]
    public async Task Rule3_FailedRefresh_RetriedAfterBackoffBeforeExpiry()
    {
        using var service = await StartWithCachedPolicyAsync(maxAge: 3600);
        _h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("http-status-503", transient: true));

        // The refresh falls due after 27-30 minutes and fails.
        for (var minute = 0; minute < 31; minute++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(1));
            await SettleAsync(service);
        }

        var failed = _h.Fetcher.Fetches(Domain);
        _h.Fetcher.SetPolicy(Domain, maxAge: 3600);
        for (var minute = 0; minute < 10; minute++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(1));
            await SettleAsync(service);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(2, failed);
        Assert.Equal(3, _h.Fetcher.Fetches(Domain));
        Assert.True(_h.Store.TryGetPolicy(Domain, out var entry) && entry.ExpiresAt > _h.Time.GetUtcNow().AddMinutes(45));
    }

    /// <summary>
    /// Rule 11: a proactive refresh started while a TXT re-check of the same domain is in flight does not join it (the
    /// re-check finds the id unchanged and fetches nothing); the refresh fetches the policy itself.
    /// </summary>
    [Fact]
    public async Task Rule11_ProactiveRefresh_NotSwallowedByAConcurrentRecordCheck()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 604800);
        var first = await _h.Resolver.ResolveAsync(Domain);
        _h.Time.Advance(TimeSpan.FromDays(1));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Dns.Gate = gate;

        var recheck = _h.Resolver.RecheckAsync(Domain).AsTask();
        var refresh = _h.Resolver.RefreshDueAsync(CancellationToken.None);
        gate.SetResult();
        var rechecked = await recheck;
        var refreshed = await refresh;
        var after = await _h.Resolver.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Cached, rechecked.Status);
        Assert.Equal(1, refreshed);
        Assert.Equal(2, _h.Fetcher.Fetches(Domain));
        Assert.Equal(first.FetchedAt!.Value.AddDays(1), after.FetchedAt);
    }

    /// <summary>
    /// Starts the refresh loop over a resolver that has just fetched and cached <see cref="Domain"/>'s policy (TXT id
    /// <c>A</c>, <paramref name="maxAge"/> seconds), and waits until the loop has settled.
    /// </summary>
    private async Task<PolicyRefreshService> StartWithCachedPolicyAsync(long maxAge)
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: maxAge);
        var service = new PolicyRefreshService(_h.Resolver, _h.Time);
        await service.StartAsync(CancellationToken.None);
        await _h.Resolver.ResolveAsync(Domain);
        await SettleAsync(service);
        return service;
    }

    /// <summary>
    /// Waits (briefly, on the real clock) until the refresh loop has run what fake time made due and sleeps again with a
    /// wake-up time still ahead, and the resolver is idle: only then may fake time move on.
    /// </summary>
    private async Task SettleAsync(PolicyRefreshService service)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!(service.IsWaiting && service.WakeAt > _h.Time.GetUtcNow() && _h.Resolver.IsIdle))
        {
            Assert.True(Environment.TickCount64 < deadline, $"The refresh loop did not settle within 10 s (idle {_h.Resolver.IsIdle}, next due {_h.Resolver.NextRefreshDueAt:O}, now {_h.Time.GetUtcNow():O}, fetches {_h.Fetcher.TotalFetches}).");
            await Task.Yield();
        }

        await Task.Yield();
    }
}
