namespace MtaSts.Tool.Commands;

/// <summary>The JSON document of <c>mta-sts cache refresh</c>.</summary>
internal sealed record CacheRefreshJson(
    string Store,
    string Domain,
    string Outcome,
    CacheRecordJson? Record,
    string? FailureResultType,
    string? FailureReasonCode,
    int ExitCode);
