using System.CommandLine;
using System.Text.Json;

namespace MtaSts.Tool.Cli;

/// <summary>
/// Runs a command's work with the shared options bound, and turns every way it can end into an exit code: a
/// <see cref="ToolException"/> is one line on standard error (a JSON error object with --json), anything unexpected is
/// exit 3 with one line, and stack traces appear only with --verbose.
/// </summary>
internal static class CommandRunner
{
    public delegate Task<int> CommandWork(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken);

    /// <summary>Gets or sets a value indicating whether standard output is a terminal (tests run the tool redirected).</summary>
    public static bool IsTerminal { get; set; } = !Console.IsOutputRedirected;

    public static void SetAction(Command command, CommandWork work) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, work, cancellationToken));

    /// <summary>Reports a parse error: one line, exit 2.</summary>
    public static int ReportParseErrors(ParseResult parseResult, TextWriter output, TextWriter error)
    {
        // An unknown word explains more than the missing command or argument that follows from it.
        var message = (parseResult.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parseResult.Errors[0]).Message;
        var command = parseResult.CommandResult.Command;
        var path = command.Parents.OfType<Command>().Reverse().Select(c => c.Name).Append(command.Name).Skip(1);
        var help = string.Join(' ', path.Prepend("mta-sts").Append("--help"));
        return Fail(ExitCodes.UsageError, $"{message.TrimEnd('.')}. See '{help}'.", null, GetFlag(parseResult, SharedOptions.Json), false, output, error);
    }

    private static async Task<int> RunAsync(ParseResult parseResult, CommandWork work, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        var error = Console.Error;
        var json = GetFlag(parseResult, SharedOptions.Json);
        var verbose = GetFlag(parseResult, SharedOptions.Verbose);
        try
        {
            var settings = SharedOptions.Bind(parseResult);
            var console = new ToolConsole(settings, output, error, IsTerminal);
            return await work(parseResult, console, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolException ex)
        {
            return Fail(ex.ExitCode, ex.Message, ex.InnerException ?? ex, json, verbose, output, error);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Incomplete, "cancelled.", ex, json, verbose, output, error);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail(ExitCodes.Incomplete, $"unexpected error: {ex.GetType().Name}: {ex.Message}", ex, json, verbose, output, error);
        }
    }

    private static int Fail(int exitCode, string message, Exception? exception, bool json, bool verbose, TextWriter output, TextWriter error)
    {
        // One line, whatever the exception text held.
        var line = message.ReplaceLineEndings(" ");
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new ErrorJson(new ErrorJson.Detail(line, exitCode)), Output.ToolJsonContext.Default.ErrorJson));
        }
        else
        {
            error.WriteLine("mta-sts: " + line);
        }

        if (verbose && exception is not null)
        {
            error.WriteLine(exception.ToString());
        }

        return exitCode;
    }

    private static bool GetFlag(ParseResult parseResult, System.CommandLine.Option<bool> option)
    {
        try
        {
            return parseResult.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
