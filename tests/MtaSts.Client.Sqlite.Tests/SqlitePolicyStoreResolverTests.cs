using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.Sqlite.Tests;

/// <summary>
/// The public resolver over a SQLite file, wired with <c>AddMtaSts().AddSqlitePolicyStore(path)</c>: restarts, warm start,
/// distrust of tampered rows, refusal of unusable files.
/// </summary>
public sealed class SqlitePolicyStoreResolverTests : IDisposable
{
    private const int WarmedUpEventId = 12;
    private const int StoredRecordIgnoredEventId = 11;
    private const int StoreFailedEventId = 10;

    private readonly TempDatabase _db = new();
    private readonly NxDomainDnsServer _dns = new();
    private readonly FakeTimeProvider _time = new(Policies.Now);

    public void Dispose()
    {
        _dns.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task ResolveAsync_AfterRestart_ServesStoredPoliciesWithoutNetwork()
    {
        using (var before = new SqlitePolicyStore(_db.Path))
        {
            await before.SetAsync(Policies.Record("a.example", "A1"));
            await before.SetAsync(Policies.Record("b.example", "B1"));
        }

        await using var services = Build();
        var sut = services.GetRequiredService<IMtaStsPolicyResolver>();

        var a = await sut.ResolveAsync("a.example");
        var b = await sut.ResolveAsync("B.Example.");

        Assert.Equal(PolicyResolutionStatus.Cached, a.Status);
        Assert.True(a.IsEnforced);
        Assert.Equal("A1", a.PolicyId);
        Assert.Equal(Policies.Record("a.example").ExpiresAt, a.ExpiresAt);
        Assert.Equal(PolicyResolutionStatus.Cached, b.Status);
        Assert.Equal("B1", b.PolicyId);
        Assert.Equal(0, _dns.QueryCount);
    }

    [Fact]
    public async Task HostStart_WarmsTheMemoryCacheFromTheFile()
    {
        using (var before = new SqlitePolicyStore(_db.Path))
        {
            await before.SetManyAsync(Enumerable.Range(0, 50).Select(i => Policies.Record($"d{i}.example", $"id{i}")));
        }

        // No TXT re-check falls due during the test, so any DNS query would be a miss of the warmed cache.
        await using var services = Build(o => o.RecordCheckInterval = TimeSpan.FromDays(1));
        await StartAndWaitForWarmUpAsync(services);

        // Loaded into memory at start: deleting the file's rows now does not matter any more.
        _db.Execute("DELETE FROM policies");
        var sut = services.GetRequiredService<IMtaStsPolicyResolver>();
        for (var i = 0; i < 50; i++)
        {
            var resolution = await sut.ResolveAsync($"d{i}.example");
            Assert.Equal(PolicyResolutionStatus.Cached, resolution.Status);
            Assert.Equal($"id{i}", resolution.PolicyId);
        }

        Assert.Equal(50, WarmedUpCount(services));
        Assert.Equal(0, _dns.QueryCount);
    }

    public static TheoryData<string, string> TamperedRows() => new()
    {
        // The text edited to a longer max_age than the row's expiry was computed from (extending a policy's life).
        { "max_age edited", $"UPDATE policies SET policy_text = '{Policies.Text("mx.example.com", 31557600)}'" },

        // The expiry pushed out without touching the text.
        { "expires_at edited", "UPDATE policies SET expires_at = expires_at + 864000000000" },
        { "garbage text", "UPDATE policies SET policy_text = 'garbage'" },
        { "mode edited to an invalid value", "UPDATE policies SET policy_text = replace(policy_text, 'enforce', 'enforcing')" },
        { "invalid id", "UPDATE policies SET policy_id = 'not an id!'" },
        { "fetched in the future", "UPDATE policies SET fetched_at = fetched_at + 864000000000, expires_at = expires_at + 864000000000" },
        { "times not integers", "UPDATE policies SET fetched_at = 'yesterday'" },
    };

    [Theory]
    [MemberData(nameof(TamperedRows))]
    public async Task ResolveAsync_TamperedRow_IsNotServedAndIsLeftInTheFile(string tampering, string sql)
    {
        using (var before = new SqlitePolicyStore(_db.Path))
        {
            await before.SetAsync(Policies.Record("example.com"));
        }

        Assert.Equal(1, _db.Update(sql + " WHERE domain = 'example.com'"));
        await using var services = Build();
        var sut = services.GetRequiredService<IMtaStsPolicyResolver>();

        var resolution = await sut.ResolveAsync("example.com");

        // Not served: the resolver went to DNS (which says there is no record) instead.
        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.True(_dns.QueryCount > 0, tampering);
        Assert.Contains(services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == StoredRecordIgnoredEventId);

        // Issue-8 rule 10: a reader never deletes what it cannot use (a fetch that succeeds overwrites it).
        Assert.Equal(1, _db.Count());
    }

    [Fact]
    public async Task HostStart_TamperedRows_AreIgnoredAndTheOthersLoaded()
    {
        using (var before = new SqlitePolicyStore(_db.Path))
        {
            await before.SetManyAsync(Enumerable.Range(0, 10).Select(i => Policies.Record($"d{i}.example", $"id{i}")));
        }

        _db.Execute("UPDATE policies SET policy_text = 'garbage' WHERE domain = 'd1.example'");
        _db.Execute("UPDATE policies SET expires_at = expires_at + 1 WHERE domain = 'd2.example'");
        _db.Execute($"UPDATE policies SET policy_text = '{Policies.Text("mx.d3.example", 604800)}' WHERE domain = 'd3.example'");

        // Upper case: found only by listing (a lookup uses the normalised name), and refused there.
        _db.Execute("UPDATE policies SET domain = 'D4.example' WHERE domain = 'd4.example'");

        await using var services = Build();
        await StartAndWaitForWarmUpAsync(services);

        Assert.Equal(6, WarmedUpCount(services));
        var ignored = services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == StoredRecordIgnoredEventId).Select(r => r.Message).ToList();
        Assert.Equal(4, ignored.Count);
        Assert.Equal(10, _db.Count());
        var sut = services.GetRequiredService<IMtaStsPolicyResolver>();
        Assert.Equal(PolicyResolutionStatus.Cached, (await sut.ResolveAsync("d0.example")).Status);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, (await sut.ResolveAsync("d3.example")).Status);
    }

    [Fact]
    public async Task ResolveAsync_FileWithNewerSchema_LogsTheRefusalResolvesAndLeavesTheFileUntouched()
    {
        _db.Execute("CREATE TABLE policies (domain TEXT PRIMARY KEY, future TEXT)");
        _db.Execute("PRAGMA user_version = 2");
        var before = await File.ReadAllBytesAsync(_db.Path);

        await using (var services = Build())
        {
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            var resolution = await services.GetRequiredService<IMtaStsPolicyResolver>().ResolveAsync("example.com");

            Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
            await Poll.UntilAsync(() => WarmedUpCount(services) == 0, "the warm-up to finish");
            var failures = services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == StoreFailedEventId).ToList();
            Assert.NotEmpty(failures);
            var refusal = Assert.IsType<SqlitePolicyStoreException>(failures[0].Exception);
            Assert.Contains("schema version 2", refusal.Message, StringComparison.Ordinal);
            Assert.Contains(_db.Path, refusal.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task AddSqlitePolicyStore_RegistersTheStoreDisposedWithTheContainer()
    {
        var services = Build();
        var store = Assert.IsType<SqlitePolicyStore>(services.GetRequiredService<IMtaStsPolicyStore>());
        Assert.Equal(_db.Path, store.DatabasePath);
        await store.SetAsync(Policies.Record("example.com"));

        await services.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("example.com").AsTask());
    }

    [Fact]
    public async Task AddSqlitePolicyStore_RecordsUnusedForTheLifetime_ArePurgedWhenTheFileIsOpened()
    {
        using (var before = new SqlitePolicyStore(_db.Path))
        {
            await before.SetAsync(Policies.Record("old.example") with { LastUsed = Policies.Now.AddDays(-31) });
            await before.SetAsync(Policies.Record("recent.example") with { LastUsed = Policies.Now.AddDays(-29) });
        }

        await using var services = Build(o => o.UnusedPolicyLifetime = TimeSpan.FromDays(30));
        var store = services.GetRequiredService<IMtaStsPolicyStore>();

        Assert.Null(await store.GetAsync("old.example"));
        Assert.NotNull(await store.GetAsync("recent.example"));
        Assert.Equal(1, _db.Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void AddSqlitePolicyStore_NoPath_ThrowsNamingThePath(string? path)
    {
        var builder = new ServiceCollection().AddMtaSts();

        var ex = Assert.ThrowsAny<ArgumentException>(() => builder.AddSqlitePolicyStore(path!));

        Assert.Equal("path", ex.ParamName);
    }

    private ServiceProvider Build(Action<MtaStsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddFakeLogging();
        services.AddMtaSts(o =>
            {
                o.NameServers.Add(_dns.EndPoint);
                o.DnsTimeout = TimeSpan.FromSeconds(2);
                o.FetchRetryCount = 0;
                configure?.Invoke(o);
            })
            .AddSqlitePolicyStore(_db.Path);
        return services.BuildServiceProvider();
    }

    private static async Task StartAndWaitForWarmUpAsync(IServiceProvider services)
    {
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        await Poll.UntilAsync(() => WarmedUpCount(services) is not null, "the warm-up from the SQLite file");
    }

    private static int? WarmedUpCount(IServiceProvider services)
    {
        var record = services.GetFakeLogCollector().GetSnapshot().FirstOrDefault(r => r.Id.Id == WarmedUpEventId);
        return record?.StructuredState?.FirstOrDefault(kv => kv.Key == "Count").Value is { } count ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
