using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

/// <summary>The JSON document of <c>mta-sts lint</c>.</summary>
internal sealed record LintJson(
    string Source,
    bool Valid,
    PolicyJson? Policy,
    IReadOnlyList<ProblemJson> Problems,
    IReadOnlyList<LintJson.MxCheck> MxChecks,
    int ExitCode)
{
    internal sealed record MxCheck(string Host, bool Matches, string? Pattern);
}
