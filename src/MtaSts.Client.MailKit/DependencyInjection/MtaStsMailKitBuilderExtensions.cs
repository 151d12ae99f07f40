using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts;
using MtaSts.MailKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MTA-STS delivery through MailKit.</summary>
public static class MtaStsMailKitBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="MtaStsDeliveryAgent"/> (singleton), built on the resolver, DNS client and MX certificate validator that
    /// <c>AddMtaSts</c> registers. Register <see cref="ISmtpSessionOutcomeSink"/> implementations to receive every session's
    /// outcome. Options are validated when the host starts (or when <see cref="MtaStsDeliveryAgent.Create"/> runs).
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>.</param>
    /// <param name="configure">Configures delivery; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Without <see cref="MtaStsDeliveryOptions.HeloName"/> the machine's fully qualified name is used; a machine without
    /// one fails validation with a message asking for the name.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddMailKitDelivery(this IMtaStsBuilder builder, Action<MtaStsDeliveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<MtaStsDeliveryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure(o => o.HeloName ??= HeloNames.MachineName());
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MtaStsDeliveryOptions>, MtaStsDeliveryOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new DeliveryTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.TryAddSingleton(sp => new MtaStsDeliveryAgent(
            sp.GetRequiredService<IMtaStsPolicyResolver>(),
            sp.GetRequiredService<IMtaStsDns>(),
            sp.GetRequiredService<MxCertificateValidator>(),
            sp.GetRequiredService<IOptions<MtaStsDeliveryOptions>>().Value,
            sp.GetServices<ISmtpSessionOutcomeSink>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<MtaStsDeliveryAgent>>() ?? NullLogger<MtaStsDeliveryAgent>.Instance,
            sp.GetRequiredService<DeliveryTelemetry>()));
        return builder;
    }
}
