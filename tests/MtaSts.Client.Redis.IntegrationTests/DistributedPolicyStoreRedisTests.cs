using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Redis.IntegrationTests.Infrastructure;

namespace MtaSts.Redis.IntegrationTests;

/// <summary>A fleet of senders sharing one policy cache through a real Redis (<c>AddDistributedPolicyStore</c>).</summary>
[Collection(MtaStsCollection.Name)]
public sealed class DistributedPolicyStoreRedisTests : IAsyncLifetime
{
    private const string KeyPrefix = "mtasts:policy:";
    private readonly MtaStsEnvironment _env;
    private RedisServer _redis = null!;

    public DistributedPolicyStoreRedisTests(MtaStsEnvironment env) => _env = env;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task ResolveAsync_PolicyFetchedByAnotherSender_ServedFromRedisWithoutAnHttpsRequest()
    {
        var domain = await _env.AddDomainAsync(id: "shared1", policy: MtaStsEnvironment.Policy(mx: "mx1.example.net"));
        await using var first = await FleetMember.StartAsync(_env, _redis);
        await using var second = await FleetMember.StartAsync(_env, _redis);

        var fetched = await first.Resolver.ResolveAsync(domain);
        Assert.Equal(PolicyResolutionStatus.Fetched, fetched.Status);
        Assert.Equal(1, _env.Https.RequestCount("mta-sts." + domain));
        Assert.Equal(":1\r\n", await _redis.CommandAsync("EXISTS", KeyPrefix + domain));

        var shared = await second.Resolver.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, shared.Status);
        Assert.True(shared.IsEnforced);
        Assert.Equal("shared1", shared.PolicyId);
        Assert.Equal(fetched.Policy!.Text, shared.Policy!.Text);
        Assert.Equal(fetched.FetchedAt, shared.FetchedAt);
        Assert.Equal(fetched.ExpiresAt, shared.ExpiresAt);
        Assert.Equal(1, _env.Https.RequestCount("mta-sts." + domain));

        // From then on the second sender answers from its own memory.
        Assert.Equal(PolicyResolutionStatus.Cached, (await second.Resolver.ResolveAsync(domain)).Status);
        Assert.Equal(1, _env.Https.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task ResolveAsync_NewIdPublished_SenderThatRechecksFetchesAndSharesTheNewPolicy()
    {
        var domain = await _env.AddDomainAsync(id: "v1");
        await using var first = await FleetMember.StartAsync(_env, _redis);
        await first.Resolver.ResolveAsync(domain);

        await _env.SetIdAsync(domain, "v2");
        _env.Https.SetPolicy("mta-sts." + domain, MtaStsEnvironment.Policy(mode: "testing"));
        var rechecked = await first.Resolver.RecheckAsync(domain);
        Assert.Equal("v2", rechecked.PolicyId);

        await using var second = await FleetMember.StartAsync(_env, _redis);
        var shared = await second.Resolver.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, shared.Status);
        Assert.Equal("v2", shared.PolicyId);
        Assert.Equal(MtaStsMode.Testing, shared.Policy!.Mode);
        Assert.Equal(2, _env.Https.RequestCount("mta-sts." + domain));
    }

    public static TheoryData<string> CorruptRecords() => ["not json", "expiry extended", "unknown schema version"];

    [Theory]
    [MemberData(nameof(CorruptRecords))]
    public async Task ResolveAsync_CorruptOrTamperedRecordInRedis_IsDroppedAndThePolicyFetched(string kind)
    {
        var domain = await _env.AddDomainAsync(id: "real1");
        await using var first = await FleetMember.StartAsync(_env, _redis);
        var now = TimeProvider.System.GetUtcNow();
        var bytes = kind switch
        {
            "not json" => Encoding.UTF8.GetBytes("{garbage"),

            // A record that would keep a testing policy alive for a year though its max_age is one day.
            "expiry extended" => Record(1, domain, "forged", MtaStsEnvironment.Policy(mode: "testing", maxAge: 86400), now, now.AddDays(365)),
            _ => Record(2, domain, "forged", MtaStsEnvironment.Policy(), now, now.AddDays(1)),
        };
        await first.Cache.SetAsync(KeyPrefix + domain, bytes, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(1) });

        await using var second = await FleetMember.StartAsync(_env, _redis);
        var resolution = await second.Resolver.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Fetched, resolution.Status);
        Assert.Equal("real1", resolution.PolicyId);
        Assert.Equal(1, _env.Https.RequestCount("mta-sts." + domain));
        Assert.Single(second.Events(FleetMember.StoredRecordIgnoredEventId));

        // The forged record was replaced by the fetched one, which the first sender now serves.
        var fromRedis = await first.Resolver.ResolveAsync(domain);
        Assert.Equal(PolicyResolutionStatus.Cached, fromRedis.Status);
        Assert.Equal("real1", fromRedis.PolicyId);
        Assert.Equal(1, _env.Https.RequestCount("mta-sts." + domain));
    }

    private static byte[] Record(int version, string domain, string id, string text, DateTimeOffset fetchedAt, DateTimeOffset expiresAt) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["v"] = version,
            ["domain"] = domain,
            ["id"] = id,
            ["fetchedAt"] = fetchedAt,
            ["expiresAt"] = expiresAt,
            ["lastUsed"] = fetchedAt,
            ["text"] = text,
        });
}
