namespace MtaSts;

/// <summary>
/// The names under which <c>MtaSts.Client</c> reports metrics and traces, for OpenTelemetry and other listeners:
/// <c>AddMeter(MtaStsDiagnostics.MeterName)</c> and <c>AddSource(MtaStsDiagnostics.ActivitySourceName)</c>.
/// </summary>
/// <remarks>
/// Every instrument, span and log event is listed in <c>docs/telemetry.md</c>. Instruments follow the OpenTelemetry
/// conventions (units, <c>error.type</c>) and never carry domain names as tags; spans carry them (<c>server.address</c>,
/// <c>mtasts.policy_domain</c>). Retries and timeouts of the policy fetch are also reported by Polly on its own meter,
/// <c>Polly</c>, with the pipeline name <see cref="FetchPipelineName"/>. Each package of the family has its own meter
/// and activity source named after the package.
/// </remarks>
public static class MtaStsDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>MtaSts.Client</c>, the package's name.</summary>
    public const string MeterName = "MtaSts.Client";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>MtaSts.Client</c>, the package's name.</summary>
    public const string ActivitySourceName = "MtaSts.Client";

    /// <summary>The <c>pipeline.name</c> tag of the policy fetch's Polly resilience pipeline (retries and the overall timeout, RFC 8461 §3.3).</summary>
    public const string FetchPipelineName = "MtaSts.Client.PolicyFetch";
}
