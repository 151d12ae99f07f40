using Microsoft.Extensions.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>
/// The library's own <c>AddMtaSts</c> registration, wired to <see cref="MtaStsEnvironment"/> exactly as
/// <see cref="MtaStsEnvironment.CreateResolver"/> wires it (<see cref="MtaStsEnvironment.ConfigureOptions"/>), but handing out the internal <see cref="PolicyResolver"/>
/// and starting no hosted service. With fake time a test then decides alone when a proactive refresh runs
/// (<see cref="PolicyResolver.RefreshDueAsync"/>): the hosted refresh loop would otherwise wake up inside
/// <c>FakeTimeProvider.Advance</c> and fetch at a time of its own. <see cref="PolicyResolver.IsIdle"/> lets a test
/// wait for background TXT re-checks to finish.
/// </summary>
internal sealed class EnvironmentResolver : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EnvironmentResolver(ServiceProvider services)
    {
        _services = services;
        Resolver = services.GetRequiredService<PolicyResolver>();
    }

    /// <summary>Gets the resolver under test.</summary>
    public PolicyResolver Resolver { get; }

    /// <summary>Gets the container the resolver was built from.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Builds a resolver that talks to <paramref name="env"/>'s DNS and HTTPS servers.</summary>
    public static EnvironmentResolver Create(
        MtaStsEnvironment env,
        TimeProvider? timeProvider = null,
        Action<MtaStsOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddMtaSts(options =>
        {
            env.ConfigureOptions(options);
            configure?.Invoke(options);
        });
        configureServices?.Invoke(services);
        return new EnvironmentResolver(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
