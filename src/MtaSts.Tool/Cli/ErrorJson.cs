namespace MtaSts.Tool.Cli;

/// <summary>With --json, what a command that fails to run writes to standard output: <c>{"error":{"message":…,"exitCode":…}}</c>.</summary>
internal sealed record ErrorJson(ErrorJson.Detail Error)
{
    internal sealed record Detail(string Message, int ExitCode);
}
