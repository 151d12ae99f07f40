namespace MtaSts.Tool.Commands;

/// <summary>The JSON document of <c>mta-sts cache purge</c>.</summary>
internal sealed record CachePurgeJson(string Store, string Domain, bool Removed, int ExitCode);
