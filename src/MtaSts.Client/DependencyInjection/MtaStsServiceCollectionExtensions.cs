using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the MTA-STS policy resolver.</summary>
public static class MtaStsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IMtaStsPolicyResolver"/>, the <c>MtaSts</c> named <see cref="System.Net.Http.HttpClient"/> it fetches
    /// policies with, and a hosted service that refreshes cached policies. Options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; may be <see langword="null"/> for the defaults.</param>
    /// <returns>A builder for further MTA-STS configuration.</returns>
    /// <remarks>
    /// Services are added with <c>TryAdd</c>, so registering one beforehand (a <see cref="TimeProvider"/>, say) replaces
    /// the default. The named client's primary handler enforces the fetch rules of RFC 8461 §3.3; replacing it with
    /// <c>ConfigurePrimaryHttpMessageHandler</c> removes those guarantees.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddMtaSts(this IServiceCollection services, Action<MtaStsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<MtaStsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MtaStsOptions>, MtaStsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // Internal parts, each built from the validated options value.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<MtaStsOptions>>().Value);
        services.TryAddSingleton(sp => new PolicyClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new MtaStsTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IMtaStsDns>(sp =>
        {
            var o = sp.GetRequiredService<MtaStsOptions>();
            return new DnsClientMtaStsDns(DnsClientMtaStsDns.CreateClient(o), o, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<MtaStsOptions>();
            return new CertificateValidator(o.TrustRoots, o.RevocationMode, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp => new MxCertificateValidator(sp.GetRequiredService<CertificateValidator>()));
        services.TryAddSingleton<PolicyHttpHandlerFactory>();
        services.AddGuardedHttpClient(PolicyFetcher.HttpClientName);
        services.TryAddSingleton<IPolicyFetcher>(sp => new PolicyFetcher(
            sp.GetRequiredService<System.Net.Http.IHttpClientFactory>(),
            sp.GetRequiredService<PolicyHttpHandlerFactory>(),
            sp.GetRequiredService<MtaStsOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<MtaStsTelemetry>(),
            Logger<PolicyFetcher>(sp),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.TryAddSingleton<MemoryPolicyStore>();
        services.TryAddSingleton(sp => new PolicyResolver(
            sp.GetRequiredService<IMtaStsDns>(),
            sp.GetRequiredService<IPolicyFetcher>(),
            sp.GetRequiredService<MemoryPolicyStore>(),
            sp.GetRequiredService<MtaStsOptions>(),
            sp.GetRequiredService<PolicyClock>(),
            sp.GetRequiredService<MtaStsTelemetry>(),
            Logger<PolicyResolver>(sp),
            sp.GetService<IMtaStsPolicyStore>()));
        services.TryAddSingleton<IMtaStsPolicyResolver>(sp => sp.GetRequiredService<PolicyResolver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PolicyRefreshService>(sp => new PolicyRefreshService(
            sp.GetRequiredService<PolicyResolver>(),
            sp.GetRequiredService<TimeProvider>())));
        return new MtaStsBuilder(services);
    }

    /// <summary>
    /// Keeps policies in a durable store behind the memory cache: written through on every fetch, read on a miss, and
    /// loaded at start (RFC 8461 §10.2). Replaces any store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <see cref="AddMtaSts"/>.</param>
    /// <param name="factory">Creates the store.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddPolicyStore(this IMtaStsBuilder builder, Func<IServiceProvider, IMtaStsPolicyStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<IMtaStsPolicyStore>();
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>
    /// Shares the policy cache across a fleet through the registered <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// (register one first, for example with <c>AddStackExchangeRedisCache</c>). Records expire after
    /// <see cref="MtaStsOptions.UnusedPolicyLifetime"/> without use.
    /// </summary>
    /// <param name="builder">The builder returned by <see cref="AddMtaSts"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddDistributedPolicyStore(this IMtaStsBuilder builder) =>
        builder.AddPolicyStore(sp => new DistributedPolicyStore(
            sp.GetRequiredService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(),
            sp.GetRequiredService<MtaStsOptions>().UnusedPolicyLifetime));

    /// <summary>
    /// Adds a named client whose primary handler is <see cref="PolicyHttpHandlerFactory"/>'s (no redirects, the address
    /// guard, the project's certificate checks) and that has no timeout of its own: each caller sets its own budget.
    /// </summary>
    internal static IHttpClientBuilder AddGuardedHttpClient(this IServiceCollection services, string name) =>
        services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<PolicyHttpHandlerFactory>().Create());

    /// <summary>Gets the logger of <typeparamref name="T"/>, or a null logger when logging is not registered.</summary>
    internal static ILogger<T> Logger<T>(IServiceProvider services) =>
        services.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
