namespace MtaSts.MailKit;

/// <summary>
/// The names under which <c>MtaSts.Client.MailKit</c> reports metrics and traces, for OpenTelemetry and other listeners:
/// <c>AddMeter(MtaStsMailKitDiagnostics.MeterName)</c> and <c>AddSource(MtaStsMailKitDiagnostics.ActivitySourceName)</c>.
/// </summary>
/// <remarks>
/// Every instrument, span and log event is listed in <c>docs/telemetry.md</c>. Instruments never carry domain or host
/// names as tags; spans carry them (<c>mtasts.policy_domain</c>, <c>server.address</c>).
/// </remarks>
public static class MtaStsMailKitDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>MtaSts.Client.MailKit</c>, the package's name.</summary>
    public const string MeterName = "MtaSts.Client.MailKit";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>MtaSts.Client.MailKit</c>, the package's name.</summary>
    public const string ActivitySourceName = "MtaSts.Client.MailKit";
}
