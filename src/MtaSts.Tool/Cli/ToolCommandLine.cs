using System.CommandLine;
using MtaSts.Tool.Commands;

namespace MtaSts.Tool.Cli;

/// <summary>
/// The command tree. Shared options are recursive on the root, so every command (and a long-running one added later,
/// such as <c>serve-postfix</c>) takes them in the same way; each command adds its own arguments and options.
/// </summary>
internal static class ToolCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("mta-sts: check MTA-STS (RFC 8461) set-ups exactly as an enforcing sender sees them, lint policies, and manage a policy store.");
        foreach (var option in SharedOptions.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(LintCommand.Create());
        root.Subcommands.Add(ResolveCommand.Create());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(Postfix.ServePostfixCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; parse errors are one line and exit 2.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parseResult = Build().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            return CommandRunner.ReportParseErrors(parseResult, Console.Out, Console.Error);
        }

        // The server handles SIGTERM and SIGINT itself (the generic host's lifetime) and may take its shutdown timeout to
        // finish the requests being answered; the other commands are cancelled by System.CommandLine.
        var invocation = parseResult.CommandResult.Command.Name == Postfix.ServePostfixCommand.Name
            ? new InvocationConfiguration { ProcessTerminationTimeout = null }
            : new InvocationConfiguration();
        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
