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
