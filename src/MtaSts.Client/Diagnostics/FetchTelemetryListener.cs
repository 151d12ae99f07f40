using Polly;
using Polly.Retry;
using Polly.Telemetry;

namespace MtaSts;

/// <summary>
/// Receives the policy fetch pipeline's Polly events beside Polly's own telemetry (logs through the application's
/// <c>ILoggerFactory</c>, metrics on the <c>Polly</c> meter) and records the retries on this package's meter, so that one
/// dashboard over <see cref="MtaStsDiagnostics.MeterName"/> sees them.
/// </summary>
internal sealed class FetchTelemetryListener(MtaStsTelemetry telemetry) : TelemetryListener
{
    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        if (args.Arguments is OnRetryArguments<PolicyFetchResult> retry)
        {
            telemetry.FetchRetried(retry.Outcome.Result?.ReasonCode ?? retry.Outcome.Exception?.GetType().Name);
        }
    }
}
