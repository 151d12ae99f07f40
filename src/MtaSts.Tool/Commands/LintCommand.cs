using System.CommandLine;
using System.Globalization;
using System.Text;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Linting;
using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

/// <summary><c>mta-sts lint &lt;file|-&gt; [--mx HOST]…</c>: validates a policy offline. Exit 0 valid (and every host matches), 1 a host does not match, 2 invalid.</summary>
internal static class LintCommand
{
    /// <summary>Read at most this much: one byte more than the largest valid policy tells that it is too large.</summary>
    private const int ReadLimit = MtaStsOptions.MaxPolicyBodySizeLimit + 1;

    private static readonly Argument<string> Source = new("file")
    {
        Description = "The policy file, or - for standard input.",
    };

    private static readonly Option<string[]> Mx = new("--mx")
    {
        Description = "An MX host name to check against the policy (repeatable).",
        HelpName = "HOST",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Create()
    {
        var command = new Command("lint", "Validate an MTA-STS policy file offline: line-numbered errors and warnings, and MX hosts checked against it.");
        command.Arguments.Add(Source);
        command.Options.Add(Mx);
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var source = parseResult.GetValue(Source)!;
        var hosts = parseResult.GetValue(Mx) ?? [];
        var text = Decode(source, await ReadAsync(source, cancellationToken).ConfigureAwait(false));
        var lint = PolicyLinter.Lint(text);
        var checks = lint.Policy is { } policy
            ? hosts.Select(h => new LintJson.MxCheck(h, policy.MatchesMx(h), policy.MxPatterns.FirstOrDefault(p => p.Matches(h))?.ToString())).ToList()
            : [];
        var exitCode = !lint.IsValid ? ExitCodes.UsageError : checks.Any(c => !c.Matches) ? ExitCodes.Findings : ExitCodes.Ok;

        if (console.Json)
        {
            console.WriteJson(
                new LintJson(source, lint.IsValid, lint.Policy is null ? null : PolicyJson.From(lint.Policy), [.. lint.Problems.Select(ProblemJson.From)], checks, exitCode),
                ToolJsonContext.Default.LintJson);
            return exitCode;
        }

        var report = console.Report;
        report.Heading("Policy " + (source == "-" ? "(standard input)" : source));
        foreach (var problem in lint.Problems)
        {
            report.Line(Format.Problem(problem), problem.Severity == LintSeverity.Error ? Tone.Bad : Tone.Warning);
        }

        if (lint.Policy is { } valid)
        {
            report.Field("mode", Format.Mode(valid.Mode), valid.Mode == MtaStsMode.Enforce ? Tone.Good : Tone.Warning);
            report.Field("max_age", Format.Duration(valid.MaxAge));
            foreach (var pattern in valid.MxPatterns)
            {
                report.Field("mx", pattern + (pattern.IsWildcard ? "  (any one label)" : ""));
            }
        }

        if (checks.Count > 0)
        {
            report.Heading("MX hosts");
            report.Table(
                ["host", "result"],
                [.. checks.Select(c => ((IReadOnlyList<string>)[c.Host, c.Matches ? "matches " + c.Pattern : "does not match the policy"], c.Matches ? Tone.Good : Tone.Bad))]);
        }

        var errors = lint.Errors.Count();
        var warnings = lint.Warnings.Count();
        var summary = !lint.IsValid
            ? $"invalid: {Format.Count(errors, "error", "errors")}, {Format.Count(warnings, "warning", "warnings")}"
            : checks.Any(c => !c.Matches)
                ? $"valid ({Format.Count(warnings, "warning", "warnings")}), but {Format.Count(checks.Count(c => !c.Matches), "host does", "hosts do")} not match"
                : $"valid ({Format.Count(warnings, "warning", "warnings")})";
        report.Verdict("Result: " + summary, exitCode == ExitCodes.Ok ? (warnings > 0 ? Tone.Warning : Tone.Good) : Tone.Bad);
        return exitCode;
    }

    private static async Task<byte[]> ReadAsync(string source, CancellationToken cancellationToken)
    {
        try
        {
            var stream = source == "-" ? Console.OpenStandardInput() : new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[ReadLimit];
                var length = 0;
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                return buffer[..length];
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw ToolException.Usage($"cannot read '{source}': {Reason(ex)}", ex);
        }
    }

    /// <summary>Decodes the file, refusing binary data and bytes that are not UTF-8 (RFC 8461 §3.2: the policy is UTF-8 text).</summary>
    private static string Decode(string source, byte[] bytes)
    {
        var name = source == "-" ? "standard input" : $"'{source}'";
        if (bytes.Length > MtaStsOptions.MaxPolicyBodySizeLimit)
        {
            throw ToolException.Usage($"{name} is larger than 65,536 bytes, the largest policy senders accept (RFC 8461 §3.3).");
        }

        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            throw ToolException.Usage($"{name} is a binary file, not a policy (a NUL byte at offset {nul.ToString(CultureInfo.InvariantCulture)}).");
        }

        var span = bytes.AsSpan();
        for (var offset = 0; offset < span.Length;)
        {
            if (Rune.DecodeFromUtf8(span[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                throw ToolException.Usage($"{name} is not UTF-8 text, as a policy must be (RFC 8461 §3.2): bad byte at offset {offset.ToString(CultureInfo.InvariantCulture)}.");
            }

            offset += consumed;
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static string Reason(Exception ex) => ex switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied, or it is a directory",
        _ => ex.Message,
    };
}
