using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TLS reporting (RFC 8460) on the MTA-STS builder.</summary>
public static class MtaStsTlsRptBuilderExtensions
{
    /// <summary>
    /// Adds TLS reporting: a collector that counts every SMTP session's outcome (an <see cref="ISmtpSessionOutcomeSink"/>,
    /// so the MailKit delivery agent feeds it), <see cref="ITlsReportGenerator"/>, the HTTPS report transport, an in-memory
    /// <see cref="ITlsReportStore"/> unless another is registered, and a hosted service that sends each day's reports.
    /// Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>.</param>
    /// <param name="configure">Configures reporting; <see cref="TlsRptOptions.OrganizationName"/> and <see cref="TlsRptOptions.ContactInfo"/> are required.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Mail reports need <c>AddTlsReportMail()</c> from MtaSts.Client.MailKit and a DKIM key; otherwise set
    /// <see cref="TlsRptOptions.Transports"/> to <see cref="TlsReportTransports.Https"/>. The HTTPS transport uses the
    /// <c>MtaSts.TlsRpt</c> named client, built like the policy fetch's (no redirects, SSRF guard, certificate checks per
    /// <see cref="MtaStsOptions"/>).
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddTlsReporting(this IMtaStsBuilder builder, Action<TlsRptOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<TlsRptOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TlsRptOptions>, TlsRptOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TlsRptOptions>>().Value);

        services.TryAddSingleton(sp => new TlsRptTelemetry(sp.GetRequiredService<MtaStsTelemetry>()));
        services.TryAddSingleton<ITlsReportStore, MemoryTlsReportStore>();
        services.TryAddSingleton(sp => new TlsRptCollector(
            sp.GetRequiredService<ITlsReportStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TlsRptTelemetry>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISmtpSessionOutcomeSink, TlsRptCollector>(sp => sp.GetRequiredService<TlsRptCollector>()));
        services.TryAddSingleton(sp => new TlsReportBuilder(sp.GetRequiredService<TlsRptOptions>()));
        services.TryAddSingleton<ITlsReportGenerator>(sp => new TlsReportGenerator(
            sp.GetRequiredService<TlsRptCollector>(),
            sp.GetRequiredService<ITlsReportStore>(),
            sp.GetRequiredService<TlsReportBuilder>()));

        services.AddGuardedHttpClient(HttpsTlsReportTransport.HttpClientName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITlsReportTransport, HttpsTlsReportTransport>(sp => new HttpsTlsReportTransport(
            sp.GetRequiredService<System.Net.Http.IHttpClientFactory>(),
            sp.GetRequiredService<PolicyHttpHandlerFactory>(),
            sp.GetRequiredService<TlsRptOptions>(),
            sp.GetRequiredService<TimeProvider>())));

        services.TryAddSingleton(sp => new TlsReportScheduler(
            sp.GetRequiredService<TlsRptCollector>(),
            sp.GetRequiredService<ITlsReportStore>(),
            sp.GetRequiredService<TlsReportBuilder>(),
            sp.GetRequiredService<IMtaStsDns>(),
            sp.GetServices<ITlsReportTransport>(),
            sp.GetRequiredService<TlsRptOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TlsRptTelemetry>(),
            MtaStsServiceCollectionExtensions.Logger<TlsReportScheduler>(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TlsReportScheduler>(sp => sp.GetRequiredService<TlsReportScheduler>()));
        return builder;
    }

    /// <summary>
    /// Keeps TLS-RPT counters and sent marks in <paramref name="factory"/>'s store instead of memory, for example one shared
    /// by several processes. Replaces any report store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>.</param>
    /// <param name="factory">Creates the store.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddTlsReportStore(this IMtaStsBuilder builder, Func<IServiceProvider, ITlsReportStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<ITlsReportStore>();
        builder.Services.AddSingleton(factory);
        return builder;
    }
}
