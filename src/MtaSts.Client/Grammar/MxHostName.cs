using System.Globalization;

namespace MtaSts;

/// <summary>Normalises an MX host name for comparison with <see cref="MxPattern"/>s (Decision 17).</summary>
internal static class MxHostName
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>
    /// Strips one trailing root dot and converts U-labels to A-labels. ASCII input is returned as a slice of
    /// itself without allocating: callers compare it, ignoring ASCII case, with patterns that were fully validated,
    /// so only what such a comparison cannot catch is checked here (see <see cref="DomainNameSyntax.IsAsciiHostCandidate"/>).
    /// </summary>
    /// <returns><see langword="false"/> when the name is not a host name at all; it then matches nothing.</returns>
    public static bool TryNormalize(string host, out ReadOnlySpan<char> normalized, out int firstDot)
    {
        var span = host.AsSpan();
        if (span.Length > 0 && span[^1] == '.')
        {
            span = span[..^1];
        }

        if (DomainNameSyntax.IsAsciiHostCandidate(span, out firstDot))
        {
            normalized = span;
            return true;
        }

        if (span.IsEmpty || !span.ContainsAnyExceptInRange((char)0, (char)0x7F))
        {
            // ASCII but not a host name: nothing to convert.
            normalized = default;
            return false;
        }

        string ascii;
        try
        {
            // RFC 8461 §4.1: names are compared as A-labels; IdnMapping also applies UTS 46 case mapping.
            ascii = Idn.GetAscii(span.ToString());
        }
        catch (ArgumentException)
        {
            normalized = default;
            return false;
        }

        // UTS 46 maps ideographic and full-width full stops to "."; strip a trailing one as for ASCII.
        normalized = ascii.Length > 1 && ascii[^1] == '.' && span[^1] != '.' ? ascii.AsSpan(0, ascii.Length - 1) : ascii;
        return DomainNameSyntax.IsAsciiHostCandidate(normalized, out firstDot);
    }
}
