namespace MtaSts;

/// <summary>The text given to <see cref="MtaStsPolicy.Parse(string)"/> is not a valid MTA-STS policy.</summary>
/// <remarks>The message names the 1-based line and the RFC 8461 §3.2 rule that was broken.</remarks>
public sealed class MtaStsFormatException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="MtaStsFormatException"/> class.</summary>
    public MtaStsFormatException()
        : base("The text is not a valid MTA-STS policy.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsFormatException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public MtaStsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsFormatException"/> class with a message and the exception that caused it.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public MtaStsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsFormatException"/> class for a rule broken at a line.</summary>
    /// <param name="lineNumber">The 1-based line, or <see langword="null"/> when the policy as a whole is at fault (a missing field).</param>
    /// <param name="rule">What was wrong.</param>
    public MtaStsFormatException(int? lineNumber, string rule)
        : base(lineNumber is { } line
            ? $"Invalid MTA-STS policy, line {line}: {rule}"
            : $"Invalid MTA-STS policy: {rule}")
    {
        LineNumber = lineNumber;
        Rule = rule;
    }

    /// <summary>Gets the 1-based line at which the policy broke a rule, or <see langword="null"/> when the policy as a whole is at fault.</summary>
    public int? LineNumber { get; }

    /// <summary>Gets the rule that was broken, in words, or <see langword="null"/> when not given.</summary>
    public string? Rule { get; }
}
