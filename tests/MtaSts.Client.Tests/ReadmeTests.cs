using System.Text.RegularExpressions;

namespace MtaSts.Tests;

/// <summary>The code the README shows is code that is compiled in <c>samples/</c>.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void QuickStart_CodeBlock_IsTheQuickStartSample()
    {
        var root = RepositoryRoot();
        var sample = File.ReadAllText(Path.Combine(root, "samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");

        var match = QuickStartBlock().Match(Readme(root));

        Assert.True(match.Success, "README.md has no C# block under '## Quick start'.");
        Assert.Equal(sample, match.Groups[1].Value);
    }

    [Fact]
    public void EveryCSharpBlock_AppearsInASample()
    {
        var root = RepositoryRoot();
        var samples = Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Select(f => File.ReadAllText(f).ReplaceLineEndings("\n"))
            .ToList();

        var blocks = CSharpBlock().Matches(Readme(root)).Select(m => m.Groups[1].Value).ToList();

        Assert.True(blocks.Count >= 3, "README.md should show the quick start, the resolver and DI.");
        Assert.All(blocks, block => Assert.True(samples.Any(s => s.Contains(block, StringComparison.Ordinal)), "Not in any sample:\n" + block));
    }

    [Theory]
    [InlineData("MtaSts.Client", "QuickStart")]
    [InlineData("MtaSts.Client.MailKit", "MailKitQuickStart")]
    [InlineData("MtaSts.Client.Sqlite", "SqliteQuickStart")]
    public void PackageReadme_ExampleIsItsSampleAndItSaysHowToInstall(string package, string sample)
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "src", package, "README.md")).ReplaceLineEndings("\n");
        var program = File.ReadAllText(Path.Combine(root, "samples", sample, "Program.cs")).ReplaceLineEndings("\n");

        // test.sh compiles and runs the first C# block of the packed README in a fresh project: it must be the sample.
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(program, Assert.Single(blocks));
        Assert.StartsWith($"# {package}\n", readme, StringComparison.Ordinal);
        Assert.Contains($"dotnet add package {package}\n", readme, StringComparison.Ordinal);
        Assert.Contains("https://github.com/mtasts-client/MtaSts.Client#readme", readme, StringComparison.Ordinal);

        // A package page shows no repository test steps.
        Assert.DoesNotContain("apt-get", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("test.sh", readme, StringComparison.Ordinal);
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

    private static string Readme(string root) => File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

    [GeneratedRegex(@"## Quick start\n\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
