using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MtaSts;
using MtaSts.MailKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the mail transport of TLS reports.</summary>
public static class MtaStsTlsRptMailBuilderExtensions
{
    /// <summary>
    /// Sends TLS reports to <c>mailto:</c> destinations (RFC 8460 §5.3): DKIM-signed <c>multipart/report</c> mail delivered
    /// by <see cref="MtaStsDeliveryAgent"/> as report deliveries (not subject to the recipient's MTA-STS policy and not
    /// counted in reports). Adds the MailKit delivery agent with default options if it is not registered yet.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>; call <c>AddTlsReporting</c> on it too.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// <see cref="TlsRptOptions.DkimSelector"/> and <see cref="TlsRptOptions.DkimPrivateKeyPem"/> (an RSA key of at least
    /// 1024 bits) are required, and checked when the host starts. Publish the public key at
    /// <c>&lt;selector&gt;._domainkey.&lt;DKIM domain&gt;</c>, with <c>s=tlsrpt</c> (RFC 8460 §3).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IMtaStsBuilder AddTlsReportMail(this IMtaStsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ServiceType == typeof(MtaStsDeliveryAgent)))
        {
            builder.AddMailKitDelivery();
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TlsRptOptions>, TlsReportMailOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITlsReportTransport, MailTlsReportTransport>(sp => new MailTlsReportTransport(
            sp.GetRequiredService<MtaStsDeliveryAgent>(),
            new TlsReportMessageBuilder(sp.GetRequiredService<IOptions<TlsRptOptions>>().Value, sp.GetRequiredService<TimeProvider>()))));
        return builder;
    }
}
