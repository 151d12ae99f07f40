using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>
/// Issue 11: an authoritative "no policy" is cached for its DNS TTL within <see cref="MtaStsOptions.NegativeCacheMinimum"/>
/// and <see cref="MtaStsOptions.NegativeCacheMaximum"/>; nothing else is, and it never stands in for a policy.
/// </summary>
public sealed class NegativeCacheTests : IDisposable
{
    private const string Domain = "nopolicy.example";
    private readonly ResolverHarness _h = new();

    public void Dispose() => _h.Dispose();

    private PolicyResolver Sut => _h.Resolver;

    [Fact]
    public async Task ResolveAsync_NxDomain_CachedForItsTtlThenAskedAgain()
    {
        _h.Dns.SetNotFound(Domain, TimeSpan.FromMinutes(10));

        var first = await Sut.ResolveAsync(Domain);
        var hit = Sut.ResolveAsync(Domain);
        var hitCompletedAtOnce = hit.IsCompletedSuccessfully;
        var second = await hit;
        _h.Time.Advance(TimeSpan.FromMinutes(9));
        await Sut.ResolveAsync(Domain);
        var queriesWithinTtl = _h.Dns.TxtQueries;
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, first.Status);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, second.Status);
        Assert.Equal(ReasonCodes.TxtRecordNotFound, second.FailureReasonCode);
        Assert.True(hitCompletedAtOnce);
        Assert.Equal(1, queriesWithinTtl);
        Assert.Equal(2, _h.Dns.TxtQueries);
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(86400, 3600)]
    [InlineData(null, 60)]
    public async Task ResolveAsync_NegativeTtl_ClampedToTheBounds(int? ttlSeconds, int cachedSeconds)
    {
        _h.Dns.SetNotFound(Domain, ttlSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        await Sut.ResolveAsync(Domain);

        _h.Time.Advance(TimeSpan.FromSeconds(cachedSeconds - 1));
        await Sut.ResolveAsync(Domain);
        var before = _h.Dns.TxtQueries;
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await Sut.ResolveAsync(Domain);

        Assert.Equal(1, before);
        Assert.Equal(2, _h.Dns.TxtQueries);
    }

    [Fact]
    public async Task ResolveAsync_OnlyOtherTxtRecords_CachedAsNoPolicy()
    {
        _h.Dns.SetRecords(Domain, TimeSpan.FromMinutes(5), "v=spf1 -all");

        var first = await Sut.ResolveAsync(Domain);
        await Sut.ResolveAsync(Domain);

        Assert.Equal(ReasonCodes.TxtRecordNotFound, first.FailureReasonCode);
        Assert.Equal(1, _h.Dns.TxtQueries);
    }

    public static TheoryData<string> NotCached() => ["servfail", "two records", "invalid record", "fetch fails"];

    /// <summary>Only an authoritative "no" is cached: temporary failures, several or invalid records and failed fetches are asked again.</summary>
    [Theory]
    [MemberData(nameof(NotCached))]
    public async Task ResolveAsync_NotAnAuthoritativeNo_NotCached(string kind)
    {
        switch (kind)
        {
            case "servfail":
                _h.Dns.SetTemporaryFailure(Domain);
                break;
            case "two records":
                _h.Dns.SetRecords(Domain, "v=STSv1; id=a", "v=STSv1; id=b");
                break;
            case "invalid record":
                _h.Dns.SetRecords(Domain, "v=STSv1; id=");
                break;
            default:
                _h.Dns.SetId(Domain, "a");
                _h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("http-status-404"));
                break;
        }

        await Sut.ResolveAsync(Domain);
        await Sut.ResolveAsync(Domain);

        Assert.Equal(2, _h.Dns.TxtQueries);
    }

    [Fact]
    public async Task ResolveAsync_NegativeCachingOff_AsksEveryTime()
    {
        using var h = new ResolverHarness(o => o.NegativeCacheMaximum = TimeSpan.Zero);
        h.Dns.SetNotFound(Domain, TimeSpan.FromMinutes(10));

        await h.Resolver.ResolveAsync(Domain);
        await h.Resolver.ResolveAsync(Domain);

        Assert.Equal(2, h.Dns.TxtQueries);
    }

    /// <summary>A domain that starts to publish a policy is seen once the negative answer's time is up.</summary>
    [Fact]
    public async Task ResolveAsync_PolicyPublishedLater_SeenAfterTheNegativeTtl()
    {
        _h.Dns.SetNotFound(Domain, TimeSpan.FromMinutes(5));
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetId(Domain, "new1");
        _h.Fetcher.SetPolicy(Domain);

        var stillCached = await Sut.ResolveAsync(Domain);
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        var seen = await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, stillCached.Status);
        Assert.Equal(PolicyResolutionStatus.Fetched, seen.Status);
        Assert.True(seen.IsEnforced);
    }

    /// <summary>
    /// A clock stepped back (NTP correcting a clock that ran ahead, say) must not stretch a cached "no policy" answer by the
    /// size of the step: it ends at once, and a policy published meanwhile is fetched. (A cached policy, kept longer by the
    /// same step, is not weakened by it.)
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(24 * 60)]
    public async Task ResolveAsync_ClockSteppedBackAfterNegativeAnswer_AsksAgainAndSeesNewPolicy(int minutesBack)
    {
        _h.Dns.SetNotFound(Domain, TimeSpan.FromMinutes(5));
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetId(Domain, "new1");
        _h.Fetcher.SetPolicy(Domain);

        _h.Time.AdjustTime(_h.Time.GetUtcNow() - TimeSpan.FromMinutes(minutesBack));
        var resolution = await Sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, resolution.Status);
        Assert.True(resolution.IsEnforced);
        Assert.Equal(2, _h.Dns.TxtQueries);
    }

    /// <summary>
    /// The same with the coarse clock the cache-hit path reads in production (refreshed by a timer): the hit path does not
    /// look at when an answer was cached; the clock's next tick sees the step back and the answer is dropped, while a
    /// cached policy stays.
    /// </summary>
    [Fact]
    public async Task ResolveAsync_CoarseClockSteppedBackAfterNegativeAnswer_NextTickDropsTheAnswerButKeepsPolicies()
    {
        using var h = new ResolverHarness(coarseClock: true);
        h.Dns.SetNotFound(Domain, TimeSpan.FromMinutes(5));
        h.Dns.SetId("policy.example", "p1");
        h.Fetcher.SetPolicy("policy.example");
        await h.Resolver.ResolveAsync(Domain);
        await h.Resolver.ResolveAsync("policy.example");
        h.Dns.SetId(Domain, "new1");
        h.Fetcher.SetPolicy(Domain);

        h.Time.AdjustTime(h.Time.GetUtcNow() - TimeSpan.FromDays(1));
        h.Time.Advance(PolicyClock.CoarsePeriod);
        var resolution = await h.Resolver.ResolveAsync(Domain);
        var policy = await h.Resolver.ResolveAsync("policy.example");

        Assert.Equal(PolicyResolutionStatus.Fetched, resolution.Status);
        Assert.True(resolution.IsEnforced);
        Assert.True(policy.IsEnforced);
        Assert.Equal(PolicyResolutionStatus.Cached, policy.Status);
    }

    /// <summary>Decision 24: with a valid policy cached, an NXDOMAIN at the re-check changes nothing, and is not cached over it.</summary>
    [Fact]
    public async Task RecheckAsync_NxDomainWhilePolicyCached_KeepsThePolicy()
    {
        _h.Dns.SetId(Domain, "a");
        _h.Fetcher.SetPolicy(Domain);
        await Sut.ResolveAsync(Domain);
        _h.Dns.SetNotFound(Domain, TimeSpan.FromHours(1));

        var rechecked = await Sut.RecheckAsync(Domain);
        var hit = await Sut.ResolveAsync(Domain);

        Assert.True(rechecked.IsEnforced);
        Assert.True(hit.IsEnforced);
        Assert.True(_h.Store.TryGetPolicy(Domain, out _));
    }

    /// <summary>The negative hit path costs what a policy hit costs: no I/O, no allocation.</summary>
    [Fact]
    public async Task ResolveAsync_NegativeHit_DoesNotAllocate()
    {
        _h.Dns.SetNotFound(Domain, TimeSpan.FromMinutes(10));
        await Sut.ResolveAsync(Domain);
        await Sut.ResolveAsync(Domain);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            // A hit completes synchronously: reading the result does not block.
#pragma warning disable xUnit1031
            _ = Sut.ResolveAsync(Domain).Result;
#pragma warning restore xUnit1031
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Expired negative answers are dropped by the hourly sweep, so one-off domains do not pile up.</summary>
    [Fact]
    public async Task RefreshDueAsync_ExpiredNegativeAnswers_Dropped()
    {
        for (var i = 0; i < 10; i++)
        {
            _h.Dns.SetNotFound($"d{i}.example", TimeSpan.FromMinutes(5));
            await Sut.ResolveAsync($"d{i}.example");
        }

        var cached = _h.Store.Count;
        _h.Time.Advance(TimeSpan.FromHours(2));
        await Sut.RefreshDueAsync(CancellationToken.None);

        Assert.Equal(10, cached);
        Assert.Equal(0, _h.Store.Count);
    }
}
