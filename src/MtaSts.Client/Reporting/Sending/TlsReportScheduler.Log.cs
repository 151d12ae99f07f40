using Microsoft.Extensions.Logging;

namespace MtaSts;

internal sealed partial class TlsReportScheduler
{
    [LoggerMessage(EventId = 300, EventName = "TlsReportBuilt", Level = LogLevel.Information,
        Message = "Built the TLS report {ReportId} for {PolicyDomain} on {Day}: {Successes} successful and {Failures} failed sessions; queued for {DestinationCount} destination(s).")]
    private static partial void LogReportBuilt(ILogger logger, string policyDomain, DateOnly day, string reportId, long successes, long failures, int destinationCount);

    [LoggerMessage(EventId = 301, EventName = "NoTlsRptRecord", Level = LogLevel.Debug,
        Message = "{PolicyDomain} has no usable TLS-RPT record ({RecordCount} TXT record(s) at _smtp._tls): no report is sent.")]
    private static partial void LogNoReportingRecord(ILogger logger, string policyDomain, int recordCount);

    [LoggerMessage(EventId = 302, EventName = "TlsRptRecordLookupFailed", Level = LogLevel.Warning,
        Message = "The TLS-RPT record of {PolicyDomain} could not be looked up ({Error}); trying again at {RetryAt:O}.")]
    private static partial void LogRecordLookupFailed(ILogger logger, string policyDomain, string? error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 303, EventName = "TlsRptRecordLookupGaveUp", Level = LogLevel.Warning,
        Message = "The TLS-RPT record of {PolicyDomain} could not be looked up for the retry window ({Error}): the report for {Day} is not sent.")]
    private static partial void LogRecordLookupGaveUp(ILogger logger, string policyDomain, DateOnly day, string? error);

    [LoggerMessage(EventId = 304, EventName = "TlsRptUriIgnored", Level = LogLevel.Information,
        Message = "The TLS-RPT record of {PolicyDomain} names a report URI that cannot be used and is ignored: {Uri}.")]
    private static partial void LogReportUriIgnored(ILogger logger, string policyDomain, string uri);

    [LoggerMessage(EventId = 305, EventName = "TlsRptTransportDisabled", Level = LogLevel.Debug,
        Message = "A {Scheme}: report URI of {PolicyDomain} is not used: that transport is not enabled.")]
    private static partial void LogTransportDisabled(ILogger logger, string policyDomain, string scheme);

    [LoggerMessage(EventId = 306, EventName = "TlsReportAlreadySent", Level = LogLevel.Debug,
        Message = "The TLS report for {PolicyDomain} on {Day} was already marked sent (by this or another process sharing the store).")]
    private static partial void LogAlreadySent(ILogger logger, string policyDomain, DateOnly day);

    [LoggerMessage(EventId = 307, EventName = "TlsReportSent", Level = LogLevel.Information,
        Message = "Delivered the TLS report for {PolicyDomain} on {Day} to {Destination} (attempt {Attempt}): {Detail}.")]
    private static partial void LogReportSent(ILogger logger, string policyDomain, DateOnly day, Uri destination, int attempt, string? detail);

    [LoggerMessage(EventId = 308, EventName = "TlsReportDeliveryFailed", Level = LogLevel.Warning,
        Message = "Delivering the TLS report for {PolicyDomain} to {Destination} failed (attempt {Attempt}: {Detail}); trying again at {RetryAt:O}.")]
    private static partial void LogDeliveryFailed(ILogger logger, string policyDomain, Uri destination, int attempt, string? detail, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 309, EventName = "TlsReportGaveUp", Level = LogLevel.Warning,
        Message = "Gave up delivering the TLS report for {PolicyDomain} on {Day} to {Destination} after {Attempt} attempt(s) ({ErrorType}: {Detail}).")]
    private static partial void LogGaveUp(ILogger logger, string policyDomain, DateOnly day, Uri destination, int attempt, string errorType, string? detail);

    [LoggerMessage(EventId = 310, EventName = "TlsRptDestinationSuppressed", Level = LogLevel.Warning,
        Message = "The TLS report destination {DestinationKey} failed {Failures} reports in a row: it gets no reports until {Until:O}.")]
    private static partial void LogDestinationSuppressed(ILogger logger, string destinationKey, int failures, DateTimeOffset until);

    [LoggerMessage(EventId = 311, EventName = "TlsReportNotSent", Level = LogLevel.Warning,
        Message = "The TLS report for {PolicyDomain} is not sent to {Destination}: {Reason}.")]
    private static partial void LogDestinationSkipped(ILogger logger, string policyDomain, Uri destination, string reason);

    [LoggerMessage(EventId = 312, EventName = "TlsReportNoFailures", Level = LogLevel.Debug,
        Message = "No failed session for {PolicyDomain} on {Day}: not reported (ReportOnlyDaysWithFailures).")]
    private static partial void LogNoFailuresNotReported(ILogger logger, string policyDomain, DateOnly day);

    [LoggerMessage(EventId = 313, EventName = "TlsRptFlushFailed", Level = LogLevel.Warning,
        Message = "Writing the TLS-RPT session counts to the report store failed; they are kept in memory and written with the next flush.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 314, EventName = "TlsRptStoreFailed", Level = LogLevel.Warning,
        Message = "A TLS report store operation ({Operation}) failed.")]
    private static partial void LogStoreFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 315, EventName = "TlsRptCountersUnreadable", Level = LogLevel.Warning,
        Message = "{Count} stored TLS-RPT counter(s) of {PolicyDomain} on {Day} could not be read and were left out of the report.")]
    private static partial void LogUnreadableCounters(ILogger logger, string policyDomain, DateOnly day, int count);

    [LoggerMessage(EventId = 316, EventName = "TlsRptSchedulerFailed", Level = LogLevel.Error,
        Message = "The TLS report scheduler failed unexpectedly (a bug); it carries on.")]
    private static partial void LogSchedulerFailed(ILogger logger, Exception exception);
}
