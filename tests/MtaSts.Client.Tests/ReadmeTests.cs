using System.Text.RegularExpressions;

namespace MtaSts.Tests;

/// <summary>The code the README shows is the code that is compiled and run in <c>samples/</c>.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void QuickStart_CodeBlock_IsTheQuickStartSample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var sample = File.ReadAllText(Path.Combine(root, "samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");

        var match = QuickStartBlock().Match(readme);

        Assert.True(match.Success, "README.md has no C# block under '## Quick start'.");
        Assert.Equal(sample, match.Groups[1].Value);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MtaSts.Client.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (MtaSts.Client.sln) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"## Quick start\n\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
