using System.Globalization;
using System.Net;

namespace MtaSts.Tool.Linting;

/// <summary>
/// Validates a policy with the library's own parser (<see cref="MtaStsPolicy.Parse"/>, the grammar senders apply) and
/// adds warnings about policies that are valid but probably not meant: <c>testing</c> left on, a <c>max_age</c> under a
/// day or over a year, broad wildcards, an <c>mx</c> that looks like an address, repeated, unknown or duplicate fields.
/// </summary>
/// <remarks>
/// The parser stops at the first broken rule. To name every problem with its line, each line it rejects is replaced by
/// a neutral extension line and the text is parsed again, until it passes or only a whole-policy rule is left.
/// </remarks>
internal static class PolicyLinter
{
    public const long OneDay = 86_400;
    public const long OneYear = 31_557_600;

    // A well-formed extension line: the parser ignores it, so the next problem can be found.
    private const string NeutralLine = "lintskipped: 1";

    public static LintResult Lint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        var problems = new List<LintProblem>();
        MtaStsPolicy? policy = null;
        var current = text;
        var brokenFields = new HashSet<string>(StringComparer.Ordinal);
        var firstPass = true;
        for (var attempt = 0; attempt <= lines.Count + 1; attempt++)
        {
            try
            {
                var parsed = MtaStsPolicy.Parse(current);
                policy = firstPass ? parsed : null;
                break;
            }
            catch (MtaStsFormatException ex)
            {
                firstPass = false;
                if (ex.LineNumber is not { } line || line < 1 || line > lines.Count)
                {
                    // A whole-policy rule (a missing field): unless it only follows from a line already reported.
                    if (!brokenFields.Any(f => ex.Message.Contains($"'{f}'", StringComparison.Ordinal)))
                    {
                        problems.Add(new LintProblem(null, LintSeverity.Error, "missing-field", Capitalize(ex.Rule ?? ex.Message)));
                    }

                    break;
                }

                var content = lines[line - 1].TrimEnd('\r');
                var name = FieldName(content);
                if (name is not null)
                {
                    brokenFields.Add(name);
                }

                problems.Add(new LintProblem(line, LintSeverity.Error, "syntax", Capitalize(ex.Rule ?? ex.Message) + Hint(name, content)));
                lines[line - 1] = NeutralLine;
                current = string.Join('\n', lines);
            }
        }

        problems.AddRange(Warnings(SplitLines(text)));
        return new LintResult(policy, [.. problems.OrderBy(p => p.Line ?? int.MaxValue).ThenBy(p => p.Severity)]);
    }

    private static IEnumerable<LintProblem> Warnings(List<string> lines)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var patterns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < lines.Count; i++)
        {
            var number = i + 1;
            var content = lines[i].TrimEnd('\r');
            if (i == 0)
            {
                content = content.TrimStart('\uFEFF');
            }

            var name = FieldName(content);
            if (name is null)
            {
                continue;
            }

            var value = content[(content.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(' ', '\t');
            if (name is "version" or "mode" or "max_age")
            {
                if (seen.TryGetValue(name, out var first))
                {
                    yield return new LintProblem(number, LintSeverity.Warning, "repeated-field", $"'{name}' is repeated; senders use the first one, on line {first}.");
                    continue;
                }

                seen[name] = number;
            }

            switch (name)
            {
                case "mode" when value == "testing":
                    yield return new LintProblem(number, LintSeverity.Warning, "testing-mode", "'mode: testing': senders report failures but still deliver over any TLS or none; switch to 'enforce' once TLS reports are clean.");
                    break;
                case "mode" when value == "none":
                    yield return new LintProblem(number, LintSeverity.Warning, "none-mode", "'mode: none': senders apply no MTA-STS to this domain (use it only to withdraw a policy).");
                    break;
                case "max_age" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && value.Length <= 10:
                    if (seconds < OneDay)
                    {
                        yield return new LintProblem(number, LintSeverity.Warning, "max-age-short", $"'max_age: {value}' is under a day: a sender's cached policy expires quickly, reopening the first-contact downgrade window; RFC 8461 §3.2 suggests weeks (1209600 or more).");
                    }
                    else if (seconds > OneYear)
                    {
                        yield return new LintProblem(number, LintSeverity.Warning, "max-age-long", $"'max_age: {value}' is over a year: senders cap it at 31557600 (RFC 8461 §3.2).");
                    }

                    break;
                case "mx":
                    if (patterns.TryGetValue(value, out var earlier))
                    {
                        yield return new LintProblem(number, LintSeverity.Warning, "duplicate-mx", $"'mx: {value}' repeats line {earlier}.");
                    }
                    else
                    {
                        patterns[value] = number;
                    }

                    if (value.StartsWith("*.", StringComparison.Ordinal) && MxPattern.TryParse(value, out _) && !value[2..].Contains('.', StringComparison.Ordinal))
                    {
                        yield return new LintProblem(number, LintSeverity.Warning, "broad-wildcard", $"'mx: {value}' lets any host directly under '{value[2..]}' receive this domain's mail.");
                    }
                    else if (value.StartsWith("*.", StringComparison.Ordinal) && MxPattern.TryParse(value, out _))
                    {
                        // Not a problem in itself; said only when the wildcard sits on a two-label name under a country code, say.
                        var labels = value[2..].Split('.');
                        if (labels.Length == 2 && labels[0].Length <= 3 && labels[1].Length == 2)
                        {
                            yield return new LintProblem(number, LintSeverity.Warning, "broad-wildcard", $"'mx: {value}' may cover a whole registry suffix ('{value[2..]}'): any host directly under it would match.");
                        }
                    }
                    else if (MxPattern.TryParse(value, out _) && LooksLikeAddress(value))
                    {
                        yield return new LintProblem(number, LintSeverity.Warning, "mx-looks-like-address", $"'mx: {value}' starts with what looks like an IP address; an mx pattern names a host, as the MX record does.");
                    }

                    break;
                case "version" or "mode" or "max_age" or "lintskipped":
                    break;
                default:
                    yield return new LintProblem(number, LintSeverity.Warning, "unknown-field", $"'{name}' is not a field of RFC 8461; senders ignore it.");
                    break;
            }
        }
    }

    private static string Hint(string? name, string content)
    {
        if (name != "mx")
        {
            return "";
        }

        var value = content[(content.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(' ', '\t');
        var bare = value.TrimStart('[').TrimEnd(']');
        return IPAddress.TryParse(bare, out _) || LooksLikeAddress(value)
            ? " The value looks like an IP address: an mx pattern must be the host name found in the MX record."
            : "";
    }

    private static bool LooksLikeAddress(string value)
    {
        var labels = value.Split('.');
        return labels.Length >= 4 && labels.Take(4).All(l => l.Length is > 0 and <= 3 && l.All(char.IsAsciiDigit));
    }

    private static string? FieldName(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && !line[..colon].Any(char.IsWhiteSpace) ? line[..colon] : null;
    }

    private static List<string> SplitLines(string text) => [.. text.Split('\n')];

    private static string Capitalize(string rule) => rule.Length > 0 ? char.ToUpperInvariant(rule[0]) + rule[1..] : rule;
}
