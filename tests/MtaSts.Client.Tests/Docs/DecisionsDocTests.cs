using System.Text.RegularExpressions;

namespace MtaSts.Tests.Docs;

/// <summary>
/// docs/decisions.md is where every "Decision N" and "checklist X.N" of the code resolves. These tests keep the two in
/// step: a citation in <c>src/</c> without an entry fails (naming the file and line), and so does an entry whose tests
/// do not exist.
/// </summary>
public sealed partial class DecisionsDocTests
{
    private static readonly string Root = ReadmeTests.RepositoryRoot();
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Entries = new(ReadEntries);

    [Fact]
    public void EveryCitationInSource_HasAnEntry()
    {
        var missing = new List<string>();
        foreach (var file in SourceFiles("src"))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var citation in Citations.In(lines[i]))
                {
                    if (!Entries.Value.ContainsKey(citation))
                    {
                        missing.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: {citation}");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "Citations without an entry in docs/decisions.md:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Source_CitesDecisionsAndChecklistItems()
    {
        // The scan above must be looking at something: the code cites dozens of entries.
        var cited = SourceFiles("src").SelectMany(File.ReadLines).SelectMany(Citations.In).Distinct().ToList();

        Assert.Contains("Decision 26", cited);
        Assert.Contains("Checklist K.77", cited);
        Assert.True(cited.Count > 40, $"only {cited.Count} distinct citations found in src/");
    }

    [Fact]
    public void EveryDecision_HasAnEntry()
    {
        var missing = Enumerable.Range(1, 32).Select(n => "Decision " + n).Where(d => !Entries.Value.ContainsKey(d)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void EveryEntry_CitesTheRfcAndNamesTestsThatExist()
    {
        var methods = TestMethodsByClass();
        var problems = new List<string>();
        foreach (var (heading, body) in Entries.Value)
        {
            if (!body.Contains("RFC ", StringComparison.Ordinal))
            {
                problems.Add($"{heading}: no RFC section");
            }

            var tests = TestLine().Match(body);
            if (!tests.Success)
            {
                problems.Add($"{heading}: no 'Tests:' line");
                continue;
            }

            var names = TestName().Matches(tests.Value).Select(m => (Class: m.Groups[1].Value, Method: m.Groups[2].Value)).ToList();
            if (names.Count == 0)
            {
                problems.Add($"{heading}: the 'Tests:' line names no test");
            }

            foreach (var (cls, method) in names)
            {
                if (!methods.TryGetValue(cls, out var declared) || !declared.Contains(method))
                {
                    problems.Add($"{heading}: no test {cls}.{method} under tests/");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("// Decision 26 (RFC 8461 §5.1 step 3): look", new[] { "Decision 26" })]
    [InlineData("(RFC 8461 §3, §3.3, §5.1; Decisions 1–3 and 19–20).", new[] { "Decision 1", "Decision 2", "Decision 3", "Decision 19", "Decision 20" })]
    [InlineData("// Decision 23/24: a fetched policy", new[] { "Decision 23", "Decision 24" })]
    [InlineData("// Decision 10 and 15: unknown fields", new[] { "Decision 10", "Decision 15" })]
    [InlineData("checklist D.3–D.7). Never", new[] { "Checklist D.3", "Checklist D.4", "Checklist D.5", "Checklist D.6", "Checklist D.7" })]
    [InlineData("valid cached policy (D.5). K.49: max_age", new[] { "Checklist D.5", "Checklist K.49" })]
    [InlineData("fallback (checklist K.77) and RFC 8461 §4.1, TLS 1.2, 192.0.2.1, X.509", new[] { "Checklist K.77" })]
    public void Citations_InALine_AreEveryItemNamed(string line, string[] expected)
    {
        Assert.Equal(expected, Citations.In(line));
    }

    [Fact]
    public void Headings_AreExactlyTheCitationTextAndUnique()
    {
        var headings = File.ReadAllLines(DocPath()).Where(l => l.StartsWith("### ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();

        Assert.All(headings, h => Assert.Matches(@"^(Decision \d+|Checklist [A-K]\.\d+)$", h));
        Assert.Equal(headings.Count, headings.Distinct(StringComparer.Ordinal).Count());
    }

    private static string DocPath() => Path.Combine(Root, "docs", "decisions.md");

    private static IReadOnlyDictionary<string, string> ReadEntries()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        string? heading = null;
        var body = new List<string>();
        foreach (var line in File.ReadLines(DocPath()).Append("## end"))
        {
            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                if (heading is not null)
                {
                    entries[heading] = string.Join('\n', body);
                }

                heading = line.StartsWith("### ", StringComparison.Ordinal) ? line[4..].Trim() : null;
                body.Clear();
            }
            else
            {
                body.Add(line);
            }
        }

        return entries;
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>Public test methods by the class that declares them (partial classes merged across files).</summary>
    private static Dictionary<string, HashSet<string>> TestMethodsByClass()
    {
        var methods = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in SourceFiles("tests"))
        {
            string? cls = null;
            foreach (var line in File.ReadLines(file))
            {
                if (cls is null && ClassDeclaration().Match(line) is { Success: true } c)
                {
                    cls = c.Groups[1].Value;
                }

                if (cls is not null && MethodDeclaration().Match(line) is { Success: true } m)
                {
                    (methods.TryGetValue(cls, out var set) ? set : methods[cls] = []).Add(m.Groups[1].Value);
                }
            }
        }

        return methods;
    }

    [GeneratedRegex(@"^Tests:.*$", RegexOptions.Multiline)]
    private static partial Regex TestLine();

    [GeneratedRegex(@"`(\w+)\.(\w+)`")]
    private static partial Regex TestName();

    [GeneratedRegex(@"^\s*(?:public|internal)\s+(?:sealed\s+|static\s+|abstract\s+)*(?:partial\s+)?class\s+(\w+)")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"^\s*public\s+(?:async\s+)?(?:Task|void|ValueTask)\s+(\w+)\s*\(")]
    private static partial Regex MethodDeclaration();
}
