using MtaSts.Tool.Linting;

namespace MtaSts.Tool.Output;

/// <summary>A lint finding in JSON.</summary>
internal sealed record ProblemJson(int? Line, string Severity, string Code, string Message)
{
    public static ProblemJson From(LintProblem problem) =>
        new(problem.Line, problem.Severity == LintSeverity.Error ? "error" : "warning", problem.Code, problem.Message);
}
