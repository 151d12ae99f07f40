namespace MtaSts.Tool.Cli;

/// <summary>Ends a command with one line on standard error and an exit code; the stack trace is shown only with --verbose.</summary>
internal sealed class ToolException : Exception
{
    public ToolException()
    {
    }

    public ToolException(string message)
        : base(message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ToolException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.Incomplete;

    /// <summary>Bad arguments or input (exit 2).</summary>
    public static ToolException Usage(string message, Exception? innerException = null) => new(ExitCodes.UsageError, message, innerException);

    /// <summary>The work could not be completed (exit 3).</summary>
    public static ToolException Incomplete(string message, Exception? innerException = null) => new(ExitCodes.Incomplete, message, innerException);
}
