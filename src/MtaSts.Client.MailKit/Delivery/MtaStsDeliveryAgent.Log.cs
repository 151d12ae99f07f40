using Microsoft.Extensions.Logging;

namespace MtaSts.MailKit;

public sealed partial class MtaStsDeliveryAgent
{
    [LoggerMessage(EventId = 100, EventName = "MxNotInPolicy", Level = LogLevel.Warning,
        Message = "Not delivering to {MxHost} for {PolicyDomain}: it matches no mx pattern of the enforced MTA-STS policy.")]
    private static partial void LogMxSkipped(ILogger logger, string policyDomain, string mxHost);

    [LoggerMessage(EventId = 103, EventName = "DeliveryFailed", Level = LogLevel.Warning,
        Message = "Delivery for {PolicyDomain} left recipients to retry (MTA-STS mode {Mode}) after {Attempts} MX attempts.")]
    private static partial void LogDeliveryFailed(ILogger logger, string policyDomain, MtaStsMode mode, int attempts);

    [LoggerMessage(EventId = 104, EventName = "PolicyChangedRetrying", Level = LogLevel.Information,
        Message = "The MTA-STS policy of {PolicyDomain} changed from id {OldPolicyId} to {NewPolicyId}; retrying delivery before failing.")]
    private static partial void LogPolicyChangedRetrying(ILogger logger, string policyDomain, string? oldPolicyId, string? newPolicyId);

    [LoggerMessage(EventId = 105, EventName = "SessionSinkFailed", Level = LogLevel.Error,
        Message = "The session outcome sink {Sink} threw; the outcome was dropped for it.")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(EventId = 106, EventName = "RecheckKeptPolicy", Level = LogLevel.Information,
        Message = "Re-checked the MTA-STS policy of {PolicyDomain} before failing: no new policy (status {Status}); the failure under id {PolicyId} stands.")]
    private static partial void LogRecheckKeptPolicy(ILogger logger, string policyDomain, string? policyId, PolicyResolutionStatus status);

    [LoggerMessage(EventId = 107, EventName = "PolicyDeferred", Level = LogLevel.Warning,
        Message = "Deferred delivery for {PolicyDomain} without connecting: its MTA-STS policy could not be resolved for now ({ReasonCode}).")]
    private static partial void LogPolicyDeferred(ILogger logger, string policyDomain, string? reasonCode);

    [LoggerMessage(EventId = 108, EventName = "DnsContradictsPolicy", Level = LogLevel.Warning,
        Message = "Deferred delivery for {PolicyDomain}: DNS says {Answer}, but a valid MTA-STS policy is held for it; the unauthenticated answer is not believed.")]
    private static partial void LogDnsContradictsPolicy(ILogger logger, string policyDomain, string answer);

    [LoggerMessage(EventId = 111, EventName = "DaneIndeterminate", Level = LogLevel.Warning,
        Message = "Not delivering to {MxHost} for {PolicyDomain} for now: its address records are DNSSEC-secure but its TLSA lookup failed ({Error}); DANE cannot be ruled out, so neither MTA-STS nor plaintext stands in.")]
    private static partial void LogDaneIndeterminate(ILogger logger, string policyDomain, string mxHost, string? error);

    [LoggerMessage(EventId = 112, EventName = "DaneRequired", Level = LogLevel.Warning,
        Message = "Not delivering to {MxHost} for {PolicyDomain}: DANE is required for the domain and the host has no usable secure TLSA records (status {TlsaStatus}).")]
    private static partial void LogDaneRequired(ILogger logger, string policyDomain, string mxHost, TlsaLookupStatus? tlsaStatus);
}
