namespace MtaSts.Tool.Commands;

/// <summary>One stored record in JSON, with the verdict the resolver would give it when it reads it.</summary>
internal sealed record CacheRecordJson(
    string Domain,
    string PolicyId,
    string State,
    string? Problem,
    string? Mode,
    long? MaxAge,
    IReadOnlyList<string> Mx,
    DateTimeOffset FetchedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset LastUsed,
    string PolicyText);

/// <summary>The JSON document of <c>mta-sts cache list</c>.</summary>
internal sealed record CacheListJson(string Store, int Count, IReadOnlyList<CacheRecordJson> Policies, int ExitCode);

/// <summary>The JSON document of <c>mta-sts cache purge</c>.</summary>
internal sealed record CachePurgeJson(string Store, string Domain, bool Removed, int ExitCode);

/// <summary>The JSON document of <c>mta-sts cache refresh</c>.</summary>
internal sealed record CacheRefreshJson(
    string Store,
    string Domain,
    string Outcome,
    CacheRecordJson? Record,
    string? FailureResultType,
    string? FailureReasonCode,
    int ExitCode);
