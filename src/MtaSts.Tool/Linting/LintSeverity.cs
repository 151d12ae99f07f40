namespace MtaSts.Tool.Linting;

/// <summary>How bad a lint finding is.</summary>
internal enum LintSeverity
{
    /// <summary>The policy breaks RFC 8461 §3.2 as this library applies it: senders treat it as invalid.</summary>
    Error,

    /// <summary>Valid, but probably not what the domain owner wants.</summary>
    Warning,
}
