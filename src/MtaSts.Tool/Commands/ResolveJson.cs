using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

/// <summary>The JSON document of <c>mta-sts resolve</c>: the <see cref="PolicyResolution"/> as the library returns it.</summary>
internal sealed record ResolveJson(
    string Domain,
    string Status,
    string Mode,
    string? PolicyId,
    DateTimeOffset? FetchedAt,
    DateTimeOffset? ExpiresAt,
    string? FailureResultType,
    string? FailureReasonCode,
    PolicyJson? Policy,
    int ExitCode);
