namespace MtaSts.Tool.Linting;

/// <summary>The policy, when valid, and every finding in line order (whole-policy findings last).</summary>
internal sealed record LintResult(MtaStsPolicy? Policy, IReadOnlyList<LintProblem> Problems)
{
    public bool IsValid => Policy is not null;

    public IEnumerable<LintProblem> Errors => Problems.Where(p => p.Severity == LintSeverity.Error);

    public IEnumerable<LintProblem> Warnings => Problems.Where(p => p.Severity == LintSeverity.Warning);
}
