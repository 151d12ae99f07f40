using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Persistence;

/// <summary>The resolver over a durable store: write-through, read on miss, warm start, distrust of stored records, outages.</summary>
public sealed class ResolverPersistenceTests : IDisposable
{
    private const string Domain = "example.com";
    private const string PolicyText = "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx.example.com\n";
    private readonly FakePolicyStore _durable = new();
    private readonly ResolverHarness _h;

    public ResolverPersistenceTests() => _h = new ResolverHarness(durable: _durable);

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task ResolveAsync_Fetched_WritesThroughToTheStore()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);

        var result = await _h.Resolver.ResolveAsync(Domain);

        var record = Assert.Single(_durable.Records.Values);
        Assert.Equal(Domain, record.PolicyDomain);
        Assert.Equal("A", record.PolicyId);
        Assert.Equal(result.Policy!.Text, record.PolicyText);
        Assert.Equal(result.FetchedAt, record.FetchedAt);
        Assert.Equal(result.ExpiresAt, record.ExpiresAt);
    }

    [Fact]
    public async Task ResolveAsync_StoredValidRecord_ServesItWithoutNetwork()
    {
        // Checklist K.66 at the seam: a restarted process applies the stored policy with no network access.
        var now = _h.Time.GetUtcNow();
        _durable.Records[Domain] = new(Domain, "A", PolicyText, now.AddHours(-1), now.AddHours(23), now.AddHours(-1));

        var result = await _h.Resolver.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Cached, result.Status);
        Assert.True(result.IsEnforced);
        Assert.Equal("A", result.PolicyId);
        Assert.Equal(0, _h.Dns.TxtQueries);
        Assert.Equal(0, _h.Fetcher.TotalFetches);
    }

    [Fact]
    public async Task ResolveAsync_WarmUpLoadsTheRecordWhileTheLookupReadsIt_ServesTheStoredPolicyAndNeverFetches()
    {
        // Found by the serve-postfix restart test: a lookup that arrived during the warm-up read the stored record, lost
        // the compare-and-swap to the warm-up, went on without it, failed to fetch and answered "no policy".
        var now = _h.Time.GetUtcNow();
        _durable.Records[Domain] = new(Domain, "A", PolicyText, now.AddHours(-1), now.AddHours(23), now.AddHours(-1));
        _durable.AfterRead = async () =>
        {
            _durable.AfterRead = null;
            Assert.Equal(1, await _h.Resolver.WarmUpAsync(CancellationToken.None));
        };
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("http-status-500"));

        var result = await _h.Resolver.ResolveAsync(Domain);

        Assert.True(result.IsEnforced, $"{result.Status} {result.FailureReasonCode}");
        Assert.Equal("A", result.PolicyId);
        Assert.Equal(0, _h.Fetcher.TotalFetches);
    }

    public static TheoryData<string> CorruptRecords() =>
    [
        "text does not parse",
        "expiry does not match max_age",
        "id invalid",
        "domain mismatch",
        "fetched in the future",
        "empty record",
    ];

    [Theory]
    [MemberData(nameof(CorruptRecords))]
    public async Task ResolveAsync_CorruptOrTamperedRecord_IsDroppedAndPolicyFetched(string kind)
    {
        var now = _h.Time.GetUtcNow();
        var good = new StoredPolicyRecord(Domain, "A", PolicyText, now.AddHours(-1), now.AddHours(23), now);
        _durable.Records[Domain] = kind switch
        {
            "text does not parse" => good with { PolicyText = "version: STSv1\nmode: enforce\n" },
            "expiry does not match max_age" => good with { ExpiresAt = now.AddDays(300) },
            "id invalid" => good with { PolicyId = "bad-id" },
            "domain mismatch" => good with { PolicyDomain = "EXAMPLE.com" },
            "fetched in the future" => good with { FetchedAt = now.AddDays(1), ExpiresAt = now.AddDays(2) },
            _ => new StoredPolicyRecord("", "", "", default, default, default),
        };
        _h.Dns.SetId(Domain, "B");
        _h.Fetcher.SetPolicy(Domain, "testing");

        var result = await _h.Resolver.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, result.Status);
        Assert.Equal("B", result.PolicyId);
        Assert.Equal("B", _durable.Records[Domain].PolicyId);
    }

    [Fact]
    public async Task ResolveAsync_StoreDown_FetchesAndServesFromMemory()
    {
        _durable.IsDown = true;
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain);

        var first = await _h.Resolver.ResolveAsync(Domain);
        var second = await _h.Resolver.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.Equal(PolicyResolutionStatus.Cached, second.Status);
        Assert.True(second.IsEnforced);

        // Back up: the next write (here a new id) goes through, nothing was lost.
        _durable.IsDown = false;
        _h.Dns.SetId(Domain, "B");
        await _h.Resolver.RecheckAsync(Domain);
        Assert.Equal("B", _durable.Records[Domain].PolicyId);
    }

    [Fact]
    public async Task WarmUpAsync_StoredRecords_LoadsValidIgnoresButKeepsCorrupt()
    {
        var now = _h.Time.GetUtcNow();
        _durable.Records["a.example"] = new("a.example", "A", PolicyText, now.AddHours(-1), now.AddHours(23), now);
        _durable.Records["b.example"] = new("b.example", "B", "garbage", now.AddHours(-1), now.AddHours(23), now);
        _durable.Records["c.example"] = new("c.example", "C", PolicyText, now.AddDays(-2), now.AddDays(-1), now.AddDays(-1));

        var loaded = await _h.Resolver.WarmUpAsync(CancellationToken.None);
        var a = await _h.Resolver.ResolveAsync("a.example");

        Assert.Equal(2, loaded);
        Assert.Equal(PolicyResolutionStatus.Cached, a.Status);
        Assert.Equal(0, _durable.Reads);

        // Issue-8 rule 10: a reader never deletes a record it cannot use; its writer's expiry removes it.
        Assert.True(_durable.Records.ContainsKey("b.example"));

        // The expired one is kept for the proactive refresh, not served.
        Assert.True(_durable.Records.ContainsKey("c.example"));
        _h.Dns.SetId("c.example", "C2");
        _h.Fetcher.SetPolicy("c.example");
        Assert.Equal(1, await _h.Resolver.RefreshDueAsync(CancellationToken.None));
        Assert.Equal("C2", _durable.Records["c.example"].PolicyId);
    }

    [Fact]
    public async Task ResolveAsync_PolicyRefreshedWhileUnusedLongerThanMaxAge_IsServedFromTheStoreByAnotherResolver()
    {
        // Regression: a proactive refresh keeps LastUsed and moves FetchedAt; such records were dropped as inconsistent.
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 86400);
        await _h.Resolver.ResolveAsync(Domain);
        for (var day = 0; day < 3; day++)
        {
            _h.Time.Advance(TimeSpan.FromDays(1));
            Assert.Equal(1, await _h.Resolver.RefreshDueAsync(CancellationToken.None));
        }

        using var other = new ResolverHarness(durable: _durable, time: _h.Time);
        var result = await other.Resolver.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.Cached, result.Status);
        Assert.Equal(0, other.Fetcher.TotalFetches);
    }

    [Fact]
    public async Task ResolveAsync_StoreSlowerThanStoreTimeout_FetchesWithoutWaitingForIt()
    {
        var slow = new SlowPolicyStore();
        using var h = new ResolverHarness(o => o.StoreTimeout = TimeSpan.FromSeconds(2), durable: slow);
        h.Dns.SetId(Domain, "A");
        h.Fetcher.SetPolicy(Domain);

        var pending = h.Resolver.ResolveAsync(Domain).AsTask();
        await slow.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await slow.Entered2.Task.WaitAsync(TimeSpan.FromSeconds(10));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PolicyResolutionStatus.Fetched, result.Status);
        Assert.True(result.IsEnforced);
    }

    private sealed class SlowPolicyStore : IMtaStsPolicyStore
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Entered2 { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<StoredPolicyRecord?> GetAsync(string policyDomain, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }

        public async ValueTask SetAsync(StoredPolicyRecord record, CancellationToken cancellationToken = default)
        {
            Entered2.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public ValueTask RemoveAsync(string policyDomain, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public IAsyncEnumerable<StoredPolicyRecord> ListAsync(CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<StoredPolicyRecord>();
    }

    [Fact]
    public async Task WarmUpAsync_StoreDown_LoadsNothingAndDoesNotThrow()
    {
        _durable.IsDown = true;

        Assert.Equal(0, await _h.Resolver.WarmUpAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RefreshDueAsync_UnusedFor180Days_RemovesFromTheStoreToo()
    {
        _h.Dns.SetId(Domain, "A");
        _h.Fetcher.SetPolicy(Domain, maxAge: 31557600);
        await _h.Resolver.ResolveAsync(Domain);
        _h.Fetcher.SetResult(Domain, PolicyFetchResult.FetchError("http-status-500"));

        _h.Time.Advance(TimeSpan.FromDays(181));
        await _h.Resolver.RefreshDueAsync(CancellationToken.None);

        Assert.Empty(_durable.Records);
        Assert.Empty(_h.Store.Snapshot());
    }
}
