using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Redis.IntegrationTests.Infrastructure;

namespace MtaSts.Redis.IntegrationTests;

/// <summary>
/// Issue-8 rule 10: a fleet shares a real Redis; machines' clocks differ and, during a rolling upgrade, two versions write
/// two schemas. A reader never deletes a record it cannot use: it ignores it and leaves it for the writer (whose copy
/// keeps serving) and for the writer's expiry.
/// </summary>
[Collection(MtaStsCollection.Name)]
public sealed class FleetSkewTests : IAsyncLifetime
{
    private const string KeyPrefix = "mtasts:policy:";
    private readonly MtaStsEnvironment _env;
    private RedisServer _redis = null!;

    public FleetSkewTests(MtaStsEnvironment env) => _env = env;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    /// <summary>A machine whose clock is 20 minutes behind sees the record in its future: it ignores it, and leaves it.</summary>
    [Fact]
    public async Task Rule10_ReaderWhoseClockIsBehind_LeavesTheRecordItCannotUse()
    {
        var domain = await _env.AddDomainAsync(id: "skew1");
        var now = TimeProvider.System.GetUtcNow();
        await using var ahead = await FleetMember.StartAsync(_env, _redis, new FakeTimeProvider(now.AddMinutes(20)));
        await using var behind = await FleetMember.StartAsync(_env, _redis, new FakeTimeProvider(now));
        var written = await ahead.Resolver.ResolveAsync(domain);
        var stored = await _redis.CommandAsync("GET", KeyPrefix + domain);

        // The domain leaves MTA-STS (or DNS says so): the machine that cannot use the stored record finds no policy...
        await _env.SetRecordsAsync(domain, []);
        var seenBehind = await behind.Resolver.ResolveAsync(domain);

        // ...but it neither deletes nor rewrites the record, which the other machine goes on serving.
        Assert.Equal(PolicyResolutionStatus.Fetched, written.Status);
        Assert.Equal(PolicyResolutionStatus.NoPolicy, seenBehind.Status);
        Assert.Single(behind.Events(FleetMember.StoredRecordIgnoredEventId));
        Assert.Equal(stored, await _redis.CommandAsync("GET", KeyPrefix + domain));
        var stillServed = await ahead.Resolver.ResolveAsync(domain);
        Assert.True(stillServed.IsEnforced);
        Assert.Equal("skew1", stillServed.PolicyId);
    }

    /// <summary>A record of a newer schema (a newer version during a rolling upgrade) is ignored by the older reader and left as it was.</summary>
    [Fact]
    public async Task Rule10_ReaderOfAnOlderVersion_LeavesANewerSchemaRecord()
    {
        var domain = await _env.AddDomainAsync(id: "v2rec");
        var now = TimeProvider.System.GetUtcNow();
        await using var reader = await FleetMember.StartAsync(_env, _redis, new FakeTimeProvider(now));
        var newer = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["v"] = 2,
            ["domain"] = domain,
            ["policy"] = new { id = "v2rec", text = MtaStsEnvironment.Policy() },
            ["fetchedAt"] = now,
        });
        await reader.Cache.SetAsync(KeyPrefix + domain, newer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(1) });
        await _env.SetRecordsAsync(domain, []);

        var resolution = await reader.Resolver.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Single(reader.Events(FleetMember.StoredRecordIgnoredEventId));
        Assert.Equal(Encoding.UTF8.GetString(newer), Encoding.UTF8.GetString(await reader.Cache.GetAsync(KeyPrefix + domain) ?? []));
        Assert.Equal(":1\r\n", await _redis.CommandAsync("EXISTS", KeyPrefix + domain));
    }
}
