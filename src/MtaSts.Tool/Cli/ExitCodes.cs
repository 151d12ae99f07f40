namespace MtaSts.Tool.Cli;

/// <summary>The exit codes, the same for every command (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>All good.</summary>
    public const int Ok = 0;

    /// <summary>Something was found wrong; the check itself worked.</summary>
    public const int Findings = 1;

    /// <summary>Usage or input error: bad arguments, an unreadable file, not a domain, a missing store.</summary>
    public const int UsageError = 2;

    /// <summary>The check could not be completed: DNS unreachable, a timeout, a host that could not be reached.</summary>
    public const int Incomplete = 3;
}
