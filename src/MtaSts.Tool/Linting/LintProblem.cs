namespace MtaSts.Tool.Linting;

/// <summary>One finding of <see cref="PolicyLinter"/>: the 1-based line (or <see langword="null"/> for the whole policy), a stable code and a message.</summary>
internal sealed record LintProblem(int? Line, LintSeverity Severity, string Code, string Message);
