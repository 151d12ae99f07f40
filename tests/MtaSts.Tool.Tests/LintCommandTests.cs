using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests;

/// <summary><c>mta-sts lint</c>, run as a process: offline, on files and standard input.</summary>
public sealed class LintCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mtasts-lint-").FullName;

    /// <summary>The example policy bundled with the repository (samples/PolicyCheck), copied next to the tests.</summary>
    private static string ExamplePolicy => Path.Combine(AppContext.BaseDirectory, "example-policy.txt");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Lint_BundledExamplePolicy_IsValidWithExit0()
    {
        var result = await ToolRunner.RunAsync("lint", ExamplePolicy);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("mode:          enforce", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("max_age:       604800 s (7 days)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("mx:            *.example.net  (any one label)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Result: valid (0 warnings)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task Lint_MxHosts_MatchOrNotWithExit1WhenOneDoesNot()
    {
        var result = await ToolRunner.RunAsync("lint", ExamplePolicy, "--mx", "mail.example.com", "--mx", "MX1.example.net.", "--mx", "a.b.example.net");
        var json = await ToolRunner.RunAsync("lint", ExamplePolicy, "--mx", "mail.example.com", "--mx", "a.b.example.net", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("mail.example.com  matches mail.example.com", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("MX1.example.net.  matches *.example.net", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("a.b.example.net   does not match the policy", result.StandardOutput, StringComparison.Ordinal);

        Assert.Equal(1, json.ExitCode);
        var checks = json.Json().GetProperty("mxChecks");
        Assert.True(checks[0].GetProperty("matches").GetBoolean());
        Assert.Equal("mail.example.com", checks[0].GetProperty("pattern").GetString());
        Assert.False(checks[1].GetProperty("matches").GetBoolean());
        Assert.Equal(1, json.Json().GetProperty("exitCode").GetInt32());

        var allMatch = await ToolRunner.RunAsync("lint", ExamplePolicy, "--mx", "backupmx.example.com");
        Assert.Equal(0, allMatch.ExitCode);
    }

    [Fact]
    public async Task Lint_InvalidPolicy_NamesEveryProblemWithItsLineAndExits2()
    {
        var policy = "version: STSv1\nmode: Enforce\nmx: 192.0.2.1\nmax-age: 5\nmax_age: 300\nmx: *.com\n\nfoo: bar\n";

        var result = await ToolRunner.RunAsync(["lint", "-"], policy);
        var json = await ToolRunner.RunAsync(["lint", "-", "--json"], policy);

        Assert.Equal(2, result.ExitCode);
        var lines = result.StandardOutput.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("line 2: error: 'mode' must be exactly 'enforce', 'testing' or 'none'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("line 3: error: 'mx' must be a host name", StringComparison.Ordinal) && l.Contains("looks like an IP address", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("line 4: warning: 'max-age' is not a field of RFC 8461", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("line 5: warning: 'max_age: 300' is under a day", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("line 6: warning: 'mx: *.com' lets any host directly under 'com'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("line 7: error: Empty line before the end of the policy", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("'mode' is missing", StringComparison.Ordinal));
        Assert.Contains("Result: invalid: 3 errors, 4 warnings", result.StandardOutput, StringComparison.Ordinal);

        Assert.Equal(2, json.ExitCode);
        var root = json.Json();
        Assert.False(root.GetProperty("valid").GetBoolean());
        var problems = root.GetProperty("problems").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], problems.Select(p => p.GetProperty("line").GetInt32()));
        Assert.Equal("error", problems[0].GetProperty("severity").GetString());
        Assert.Equal("syntax", problems[0].GetProperty("code").GetString());
        Assert.Equal("max-age-short", problems[3].GetProperty("code").GetString());
        Assert.Equal("broad-wildcard", problems[4].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Lint_ValidButQuestionable_WarnsAndStillExits0()
    {
        var policy = "version: STSv1\nmode: testing\nmx: mail.example.com\nmx: mail.example.com\nmax_age: 40000000\nmode: enforce\n";

        var result = await ToolRunner.RunAsync(["lint", "-", "--json"], policy);

        Assert.Equal(0, result.ExitCode);
        var codes = result.Json().GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        Assert.Equal(["testing-mode", "duplicate-mx", "max-age-long", "repeated-field"], codes);
        Assert.Equal("testing", result.Json().GetProperty("policy").GetProperty("mode").GetString());
        Assert.Equal(31557600, result.Json().GetProperty("policy").GetProperty("maxAge").GetInt64());
    }

    [Fact]
    public async Task Lint_MissingField_IsAWholePolicyError()
    {
        var result = await ToolRunner.RunAsync(["lint", "-"], "version: STSv1\nmode: enforce\nmax_age: 86400\n");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("policy: error: At least one 'mx' field is required unless 'mode' is 'none'.", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_FileThatDoesNotExist_OneLineExit2()
    {
        var path = Path.Combine(_directory, "nope.txt");

        var result = await ToolRunner.RunAsync("lint", path);
        var json = await ToolRunner.RunAsync("lint", path, "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        Assert.Equal($"mta-sts: cannot read '{path}': no such file", Assert.Single(result.ErrorLines));
        Assert.Equal(2, json.ExitCode);
        Assert.Equal($"cannot read '{path}': no such file", json.Json().GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(json.StandardError);
    }

    [Fact]
    public async Task Lint_Directory_OneLineExit2()
    {
        var result = await ToolRunner.RunAsync("lint", _directory);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"mta-sts: cannot read '{_directory}':", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_BinaryFile_OneLineNamingTheOffsetExit2()
    {
        var path = Path.Combine(_directory, "policy.bin");
        await File.WriteAllBytesAsync(path, [.. "version: STSv1\n"u8, 0x00, 0x01, 0x02]);

        var result = await ToolRunner.RunAsync("lint", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"mta-sts: '{path}' is a binary file, not a policy (a NUL byte at offset 15).", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Lint_NotUtf8_OneLineExit2()
    {
        var path = Path.Combine(_directory, "latin1.txt");
        await File.WriteAllBytesAsync(path, [.. "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\nnote: caf"u8, 0xE9, (byte)'\n']);

        var result = await ToolRunner.RunAsync("lint", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not UTF-8 text", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_TooLarge_OneLineExit2()
    {
        var path = Path.Combine(_directory, "large.txt");
        await File.WriteAllTextAsync(path, "version: STSv1\n" + new string('x', 70_000));

        var result = await ToolRunner.RunAsync("lint", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is larger than 65,536 bytes", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "lint" }, "Required argument missing for command: 'lint'")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "lint", "x", "--timeout", "0" }, "--timeout: 0 is not a number of seconds")]
    [InlineData(new[] { "lint", "x", "--smtp-port", "70000" }, "--smtp-port: 70000 is not a TCP port")]
    [InlineData(new[] { "lint", "x", "--dns-server", "not a server" }, "--dns-server: 'not a server' is not an IP address or host name")]
    public async Task BadArguments_OneLineExit2(string[] args, string message)
    {
        var result = await ToolRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryCommandAndSharedOption()
    {
        var result = await ToolRunner.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var word in (string[])["check", "lint", "resolve", "cache", "--dns-server", "--trust-root", "--allow-private-addresses", "--timeout", "--smtp-port", "--json", "--verbose", "--no-color"])
        {
            Assert.Contains(word, result.StandardOutput, StringComparison.Ordinal);
        }
    }
}
