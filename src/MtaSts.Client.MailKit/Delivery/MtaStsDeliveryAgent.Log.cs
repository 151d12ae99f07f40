using Microsoft.Extensions.Logging;

namespace MtaSts.MailKit;

public sealed partial class MtaStsDeliveryAgent
{
    [LoggerMessage(EventId = 100, EventName = "MxNotInPolicy", Level = LogLevel.Warning,
        Message = "Not delivering to {MxHost} for {PolicyDomain}: it matches no mx pattern of the enforced MTA-STS policy.")]
    private static partial void LogMxSkipped(ILogger logger, string policyDomain, string mxHost);

    [LoggerMessage(EventId = 101, EventName = "MxRefused", Level = LogLevel.Warning,
        Message = "Refused delivery to {MxHost} for {PolicyDomain} under the enforced MTA-STS policy: {ReasonCode}.")]
    private static partial void LogRefused(ILogger logger, string policyDomain, string mxHost, string reasonCode);

    [LoggerMessage(EventId = 102, EventName = "Delivered", Level = LogLevel.Information,
        Message = "Delivered to {MxHost} for {PolicyDomain} (MTA-STS mode {Mode}, TLS protocol {TlsProtocol}; none means plaintext).")]
    private static partial void LogDelivered(ILogger logger, string policyDomain, string mxHost, MtaStsMode mode, System.Security.Authentication.SslProtocols? tlsProtocol);

    [LoggerMessage(EventId = 103, EventName = "DeliveryFailed", Level = LogLevel.Warning,
        Message = "Delivery for {PolicyDomain} ended with {Status} (MTA-STS mode {Mode}) after {Attempts} MX attempts.")]
    private static partial void LogDeliveryFailed(ILogger logger, string policyDomain, DeliveryStatus status, MtaStsMode mode, int attempts);

    [LoggerMessage(EventId = 104, EventName = "PolicyChangedRetrying", Level = LogLevel.Information,
        Message = "The MTA-STS policy of {PolicyDomain} changed from id {OldPolicyId} to {NewPolicyId}; retrying delivery before failing.")]
    private static partial void LogPolicyChangedRetrying(ILogger logger, string policyDomain, string? oldPolicyId, string? newPolicyId);

    [LoggerMessage(EventId = 105, EventName = "SessionSinkFailed", Level = LogLevel.Error,
        Message = "The session outcome sink {Sink} threw; the outcome was dropped for it.")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);
}
