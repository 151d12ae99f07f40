using System.Globalization;
using MtaSts.Tool.Linting;

namespace MtaSts.Tool.Output;

/// <summary>Wording shared by the human and JSON output.</summary>
internal static class Format
{
    public static string Mode(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Duration(TimeSpan span)
    {
        var seconds = (long)span.TotalSeconds;
        var text = seconds.ToString(CultureInfo.InvariantCulture) + " s";
        return seconds switch
        {
            86_400 => $"{text} (1 day)",
            >= 86_400 when seconds % 86_400 == 0 => $"{text} ({(seconds / 86_400).ToString(CultureInfo.InvariantCulture)} days)",
            >= 86_400 => $"{text} ({(seconds / 86_400.0).ToString("0.#", CultureInfo.InvariantCulture)} days)",
            >= 3600 => $"{text} ({(seconds / 3600.0).ToString("0.#", CultureInfo.InvariantCulture)} hours)",
            _ => text,
        };
    }

    public static string Problem(LintProblem problem) =>
        $"{(problem.Line is { } line ? "line " + line.ToString(CultureInfo.InvariantCulture) : "policy")}: {(problem.Severity == LintSeverity.Error ? "error" : "warning")}: {problem.Message}";

    public static string Count(int n, string singular, string plural) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? singular : plural);

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
