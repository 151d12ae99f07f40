namespace MtaSts.Tool.Postfix;

/// <summary>What <see cref="Netstring.TryRead"/> found at the start of the received bytes.</summary>
internal enum NetstringStatus
{
    /// <summary>A whole netstring.</summary>
    Complete,

    /// <summary>A valid beginning; more bytes are needed.</summary>
    NeedMore,

    /// <summary>The length is not a decimal number followed by a colon.</summary>
    BadLength,

    /// <summary>The declared length is over the request size limit.</summary>
    TooLong,

    /// <summary>The payload is not followed by a comma.</summary>
    BadTerminator,
}
