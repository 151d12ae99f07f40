using System.Text.RegularExpressions;

namespace MtaSts.Tests.Docs;

/// <summary>
/// Finds the design citations in a line of code: <c>Decision 26</c>, <c>Decisions 1–6 and 19–27</c>, <c>Decision 23/24</c>,
/// <c>checklist K.77</c>, <c>(D.5)</c>, <c>D.3–D.7</c>; each becomes the heading text of its entry in docs/decisions.md
/// (<c>Decision 26</c>, <c>Checklist K.77</c>).
/// </summary>
internal static partial class Citations
{
    public static IEnumerable<string> In(string line)
    {
        foreach (Match match in DecisionList().Matches(line))
        {
            foreach (var number in Expand(match.Groups["list"].Value))
            {
                yield return "Decision " + number;
            }
        }

        foreach (Match match in ChecklistItem().Matches(line))
        {
            var letter = match.Groups["letter"].Value;
            var first = int.Parse(match.Groups["first"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var last = match.Groups["last"].Success ? int.Parse(match.Groups["last"].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
            for (var n = first; n <= Math.Max(first, last); n++)
            {
                yield return $"Checklist {letter}.{n}";
            }
        }
    }

    /// <summary>Expands "1–6 and 19–27", "23/24", "10 and 15" into the numbers they name.</summary>
    private static IEnumerable<int> Expand(string list)
    {
        foreach (var part in ListSeparator().Split(list))
        {
            var bounds = RangeDash().Split(part.Trim());
            var first = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = bounds.Length > 1 ? int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) : first;
            for (var n = first; n <= Math.Max(first, last); n++)
            {
                yield return n;
            }
        }
    }

    [GeneratedRegex(@"\bDecisions?\s+(?<list>\d+(?:\s*[–-]\s*\d+)?(?:\s*(?:,|/|\band\b)\s*\d+(?:\s*[–-]\s*\d+)?)*)")]
    private static partial Regex DecisionList();

    [GeneratedRegex(@"(?<![A-Za-z0-9.])(?<letter>[A-K])\.(?<first>\d+)(?:\s*[–-]\s*(?:\k<letter>\.)?(?<last>\d+))?(?![0-9.])")]
    private static partial Regex ChecklistItem();

    [GeneratedRegex(@"\s*(?:,|/|\band\b)\s*")]
    private static partial Regex ListSeparator();

    [GeneratedRegex(@"\s*[–-]\s*")]
    private static partial Regex RangeDash();
}
