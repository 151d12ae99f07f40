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
    /// Adds <see cref="MtaStsDeliveryAgent"/> (singleton) and an <see cref="MxCertificateValidator"/> built from the MTA-STS
    /// options' trust roots and revocation mode. Register <see cref="ISmtpSessionOutcomeSink"/> implementations to receive
    /// every session's outcome.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>.</param>
    /// <param name="configure">Configures delivery; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddMailKitDelivery(this IMtaStsBuilder builder, Action<MtaStsDeliveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<MtaStsDeliveryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Port is > 0 and <= 65535, "MtaStsDeliveryOptions.Port must be a TCP port.")
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero, "MtaStsDeliveryOptions.ConnectTimeout must be greater than zero.")
            .Validate(o => o.CommandTimeout > TimeSpan.Zero, "MtaStsDeliveryOptions.CommandTimeout must be greater than zero.")
            .Validate(o => o.MaxConcurrency > 0, "MtaStsDeliveryOptions.MaxConcurrency must be greater than zero.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton(sp => new MxCertificateValidator(sp.GetRequiredService<CertificateValidator>()));
        builder.Services.TryAddSingleton(sp => new MtaStsDeliveryAgent(
            sp.GetRequiredService<IMtaStsPolicyResolver>(),
            sp.GetRequiredService<IMtaStsDns>(),
            sp.GetRequiredService<MxCertificateValidator>(),
            sp.GetRequiredService<IOptions<MtaStsDeliveryOptions>>().Value,
            sp.GetServices<ISmtpSessionOutcomeSink>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<MtaStsDeliveryAgent>>() ?? NullLogger<MtaStsDeliveryAgent>.Instance));
        return builder;
    }
}
