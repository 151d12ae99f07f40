using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MtaSts;

/// <summary>
/// A ready-to-use <see cref="IMtaStsPolicyResolver"/> for programs without a dependency-injection container. It owns
/// its HTTP client, DNS client, cache and refresh loop; dispose it when done.
/// </summary>
/// <example>
/// <code>
/// await using var resolver = MtaStsResolver.Create();
/// var resolution = await resolver.ResolveAsync("example.com");
/// </code>
/// </example>
public sealed class MtaStsResolver : IMtaStsPolicyResolver, IAsyncDisposable, IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IMtaStsPolicyResolver _resolver;
    private readonly IHostedService[] _hostedServices;

    private MtaStsResolver(ServiceProvider services, IHostedService[] hostedServices)
    {
        _services = services;
        _resolver = services.GetRequiredService<IMtaStsPolicyResolver>();
        _hostedServices = hostedServices;
    }

    /// <summary>Creates a resolver with its own services and starts its background refresh.</summary>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each bad option and its value.</exception>
    public static MtaStsResolver Create(Action<MtaStsOptions>? configure = null) => Create(configure, null);

    internal static MtaStsResolver Create(Action<MtaStsOptions>? configure, Action<IServiceCollection>? configureServices)
    {
        var collection = new ServiceCollection();
        collection.AddMtaSts(configure);
        configureServices?.Invoke(collection);
        var services = collection.BuildServiceProvider();
        try
        {
            // Validates the options now, as ValidateOnStart would in a host.
            _ = services.GetRequiredService<IOptions<MtaStsOptions>>().Value;
            var hosted = services.GetServices<IHostedService>().ToArray();
            foreach (var service in hosted)
            {
                service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            return new MtaStsResolver(services, hosted);
        }
        catch
        {
            services.Dispose();
            throw;
        }
    }

    /// <summary>Gets the services this resolver owns (for the MailKit package's standalone agent).</summary>
    internal IServiceProvider Services => _services;

    /// <inheritdoc/>
    public ValueTask<PolicyResolution> ResolveAsync(string policyDomain, CancellationToken cancellationToken = default) =>
        _resolver.ResolveAsync(policyDomain, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<PolicyResolution> RecheckAsync(string policyDomain, CancellationToken cancellationToken = default) =>
        _resolver.RecheckAsync(policyDomain, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var service in _hostedServices)
        {
            await service.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
