using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.IntegrationTests.Infrastructure;
using StackExchange.Redis;

namespace MtaSts.Redis.IntegrationTests.Infrastructure;

/// <summary>
/// One sender of a fleet: a resolver in its own service provider (as on its own machine), wired through public DI only
/// — <c>AddStackExchangeRedisCache</c> + <c>AddMtaSts(...).AddDistributedPolicyStore()</c> — to the shared Redis and to
/// the real DNS and HTTPS servers of the <see cref="MtaStsEnvironment"/>. Its hosted refresh service runs.
/// </summary>
public sealed class FleetMember : IAsyncDisposable
{
    /// <summary>Event ids of the resolver's log events that these tests look for.</summary>
    public const int StoreFailedEventId = 10;
    public const int StoredRecordIgnoredEventId = 11;

    private readonly ServiceProvider _services;
    private readonly IHostedService[] _hosted;

    private FleetMember(ServiceProvider services, IHostedService[] hosted)
    {
        _services = services;
        _hosted = hosted;
        Resolver = services.GetRequiredService<IMtaStsPolicyResolver>();
        Cache = services.GetRequiredService<IDistributedCache>();
        Logs = services.GetFakeLogCollector();
    }

    public IMtaStsPolicyResolver Resolver { get; }

    /// <summary>Gets the member's own Redis cache client (the one its policy store uses).</summary>
    public IDistributedCache Cache { get; }

    public FakeLogCollector Logs { get; }

    public static async Task<FleetMember> StartAsync(MtaStsEnvironment environment, RedisServer redis, TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddFakeLogging();
        services.AddStackExchangeRedisCache(o => o.ConfigurationOptions = new ConfigurationOptions
        {
            EndPoints = { redis.EndPoint },

            // Short timeouts: a store call made while Redis is down fails within a second, not five.
            ConnectTimeout = 1000,
            SyncTimeout = 1000,
            AsyncTimeout = 1000,
            ConnectRetry = 1,
            AbortOnConnectFail = false,
            ReconnectRetryPolicy = new LinearRetry(100),
        });
        services.AddMtaSts(environment.ConfigureOptions).AddDistributedPolicyStore();

        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return new FleetMember(provider, hosted);
    }

    /// <summary>Gets the messages of the member's log events with <paramref name="eventId"/>, exceptions included.</summary>
    public IReadOnlyList<FakeLogRecord> Events(int eventId) => [.. Logs.GetSnapshot().Where(r => r.Id.Id == eventId)];

    /// <summary>Whether the member's Redis client can reach Redis now (a GET of a key that does not exist succeeds).</summary>
    public async Task<bool> ReachesRedisAsync()
    {
        try
        {
            await Cache.GetAsync("mtasts-tests:probe");
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }
}
