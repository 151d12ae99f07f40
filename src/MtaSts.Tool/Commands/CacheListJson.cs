namespace MtaSts.Tool.Commands;

/// <summary>The JSON document of <c>mta-sts cache list</c>.</summary>
internal sealed record CacheListJson(string Store, int Count, IReadOnlyList<CacheRecordJson> Policies, int ExitCode);
