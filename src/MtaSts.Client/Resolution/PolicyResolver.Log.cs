using Microsoft.Extensions.Logging;

namespace MtaSts;

internal sealed partial class PolicyResolver
{
    [LoggerMessage(EventId = 1, EventName = "PolicyStored", Level = LogLevel.Information,
        Message = "Stored the MTA-STS policy of {PolicyDomain} (id {PolicyId}, mode {Mode}), valid until {ExpiresAt:O}.")]
    private static partial void LogPolicyStored(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string policyId, MtaStsMode mode, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 2, EventName = "PolicyIdChanged", Level = LogLevel.Information,
        Message = "The MTA-STS record of {PolicyDomain} changed id from {OldPolicyId} to {NewPolicyId}; fetching the new policy.")]
    private static partial void LogIdChanged(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string oldPolicyId, string newPolicyId);

    [LoggerMessage(EventId = 3, EventName = "NoUsableRecord", Level = LogLevel.Debug,
        Message = "No usable MTA-STS record for {PolicyDomain}: {Reason}. Valid cached policy kept: {HasCachedPolicy}.")]
    private static partial void LogNoUsableRecord(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string reason, bool hasCachedPolicy);

    [LoggerMessage(EventId = 4, EventName = "CachedPolicyKept", Level = LogLevel.Warning,
        Message = "Keeping the cached MTA-STS policy of {PolicyDomain} (id {PolicyId}) after a failure: {ResultType} ({ReasonCode}).")]
    private static partial void LogKeptCachedPolicy(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string policyId, string resultType, string reasonCode);

    [LoggerMessage(EventId = 5, EventName = "FetchBackedOff", Level = LogLevel.Debug,
        Message = "Not fetching the MTA-STS policy of {PolicyDomain} (id {PolicyId}): a fetch failed recently.")]
    private static partial void LogBackedOff(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string policyId);

    [LoggerMessage(EventId = 6, EventName = "RefreshFailed", Level = LogLevel.Warning,
        Message = "Refreshing the MTA-STS policy of {PolicyDomain} failed: {ResultType} ({ReasonCode}); the cached policy expires at {ExpiresAt:O}.")]
    private static partial void LogRefreshFailed(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string resultType, string? reasonCode, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 7, EventName = "UnusedPolicyDropped", Level = LogLevel.Debug,
        Message = "Dropped the cached MTA-STS policy of {PolicyDomain}, unused since {LastUsed:O}.")]
    private static partial void LogDroppedUnused(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, DateTimeOffset lastUsed);

    [LoggerMessage(EventId = 8, EventName = "RecordRechecked", Level = LogLevel.Debug,
        Message = "Re-checked the MTA-STS record of {PolicyDomain}: {Status}, id {PolicyId}.")]
    private static partial void LogRechecked(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, PolicyResolutionStatus status, string? policyId);

    [LoggerMessage(EventId = 9, EventName = "BackgroundCheckFailed", Level = LogLevel.Warning,
        Message = "The background MTA-STS record check of {PolicyDomain} failed unexpectedly.")]
    private static partial void LogBackgroundCheckFailed(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, Exception exception);

    [LoggerMessage(EventId = 10, EventName = "StoreFailed", Level = LogLevel.Warning,
        Message = "The durable policy store failed to {Operation}; serving from memory and the network.")]
    private static partial void LogStoreFailed(Microsoft.Extensions.Logging.ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 11, EventName = "StoredRecordIgnored", Level = LogLevel.Warning,
        Message = "Ignored the stored MTA-STS policy record of {PolicyDomain} (left in the store): {Problem}.")]
    private static partial void LogStoredRecordIgnored(Microsoft.Extensions.Logging.ILogger logger, string policyDomain, string problem);

    [LoggerMessage(EventId = 12, EventName = "WarmedUp", Level = LogLevel.Information,
        Message = "Loaded {Count} MTA-STS policies from the durable store.")]
    private static partial void LogWarmedUp(Microsoft.Extensions.Logging.ILogger logger, int count);
}
