using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Redis.IntegrationTests.Infrastructure;

namespace MtaSts.Redis.IntegrationTests;

/// <summary>
/// Redis goes down mid-run and comes back. The outage is a real one: the redis-server process is killed (clients see
/// their connections reset and new ones refused) and started again on the same port. It runs with an fsynced
/// append-only file, as a Redis that a fleet relies on for policies would, so it comes back with what it had
/// acknowledged; a Redis without persistence would come back empty, which the resolvers survive too but which loses
/// the shared cache.
/// </summary>
[Collection(MtaStsCollection.Name)]
public sealed class RedisOutageTests : IAsyncLifetime
{
    private const string KeyPrefix = "mtasts:policy:";
    private readonly MtaStsEnvironment _env;
    private RedisServer _redis = null!;

    public RedisOutageTests(MtaStsEnvironment env) => _env = env;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync(appendOnly: true);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Resolvers_RedisDownThenBack_KeepServingFetchWithoutStoringAndLoseNothing()
    {
        var before = await _env.AddDomainAsync(id: "before1");
        var during = await _env.AddDomainAsync(id: "during1");
        var after = await _env.AddDomainAsync(id: "after1");

        // The first sender's clock is fake so that the test can run its hourly refresh scan at will.
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var first = await FleetMember.StartAsync(_env, _redis, time);
        await using var second = await FleetMember.StartAsync(_env, _redis);

        Assert.Equal(PolicyResolutionStatus.Fetched, (await first.Resolver.ResolveAsync(before)).Status);
        Assert.Equal(PolicyResolutionStatus.Cached, (await second.Resolver.ResolveAsync(before)).Status);
        Assert.Equal(1, Requests(before));

        await _redis.StopAsync();

        // Down: both keep serving what they hold in memory, with no store access on a hit.
        Assert.Equal(PolicyResolutionStatus.Cached, (await first.Resolver.ResolveAsync(before)).Status);
        Assert.Equal(PolicyResolutionStatus.Cached, (await second.Resolver.ResolveAsync(before)).Status);
        Assert.Equal(1, Requests(before));

        // A new domain is still resolved: the store read and write fail, are logged, and the fetched policy applies.
        var fetchedDuring = await first.Resolver.ResolveAsync(during);
        Assert.Equal(PolicyResolutionStatus.Fetched, fetchedDuring.Status);
        Assert.True(fetchedDuring.IsEnforced);
        Assert.Equal(1, Requests(during));
        var failures = first.Events(FleetMember.StoreFailedEventId);
        Assert.Contains(failures, f => f.Message.Contains("failed to read", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Message.Contains("failed to write", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.NotNull(f.Exception));
        Assert.Equal(PolicyResolutionStatus.Cached, (await first.Resolver.ResolveAsync(during)).Status);

        await _redis.RestartAsync();
        await UntilAsync(first.ReachesRedisAsync, "the first sender to reconnect to Redis", TimeSpan.FromSeconds(30));

        // Back: the next fetch is written through, and a sender that starts now reads it.
        var failuresBeforeRecovery = first.Events(FleetMember.StoreFailedEventId).Count;
        Assert.Equal(PolicyResolutionStatus.Fetched, (await first.Resolver.ResolveAsync(after)).Status);
        Assert.Equal(failuresBeforeRecovery, first.Events(FleetMember.StoreFailedEventId).Count);
        Assert.Equal(":1\r\n", await _redis.CommandAsync("EXISTS", KeyPrefix + after));

        await using var third = await FleetMember.StartAsync(_env, _redis);
        Assert.Equal(PolicyResolutionStatus.Cached, (await third.Resolver.ResolveAsync(after)).Status);
        Assert.Equal(1, Requests(after));

        // Nothing lost: the policy stored before the outage is still shared.
        var kept = await third.Resolver.ResolveAsync(before);
        Assert.Equal(PolicyResolutionStatus.Cached, kept.Status);
        Assert.Equal("before1", kept.PolicyId);
        Assert.Equal(1, Requests(before));

        // The policy fetched during the outage is not in Redis yet; the first sender's next refresh scan writes it
        // (its stored copy is known to be missing), after which the fleet shares it too.
        Assert.Equal(":0\r\n", await _redis.CommandAsync("EXISTS", KeyPrefix + during));
        await AdvanceUntilAsync(time, async () => await _redis.CommandAsync("EXISTS", KeyPrefix + during) == ":1\r\n", "the refresh scan to store the policy fetched during the outage");
        await using var fourth = await FleetMember.StartAsync(_env, _redis);
        var healed = await fourth.Resolver.ResolveAsync(during);
        Assert.Equal(PolicyResolutionStatus.Cached, healed.Status);
        Assert.Equal(fetchedDuring.FetchedAt, healed.FetchedAt);
        Assert.Equal(1, Requests(during));
    }

    private int Requests(string domain) => _env.Https.RequestCount("mta-sts." + domain);

    /// <summary>
    /// Moves the fake clock an hour (the refresh scan interval) at a time until <paramref name="condition"/> holds. The
    /// scan's timer may not be armed at the first move, so a few moves are allowed, each followed by a bounded wait.
    /// </summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<Task<bool>> condition, string description)
    {
        for (var hour = 1; hour <= 4; hour++)
        {
            time.Advance(TimeSpan.FromHours(1));
            try
            {
                await UntilAsync(condition, description, TimeSpan.FromSeconds(5));
                return;
            }
            catch (TimeoutException) when (hour < 4)
            {
            }
        }
    }

    /// <summary><see cref="Poll.UntilAsync"/> for a condition that has to ask a server.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string description, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {description}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}
