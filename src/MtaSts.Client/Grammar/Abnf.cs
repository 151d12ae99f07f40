namespace MtaSts;

/// <summary>Character classes and productions shared by the RFC 8461 and RFC 8460 grammars.</summary>
internal static class Abnf
{
    /// <summary>The longest extension name: one leading character and up to 31 more (RFC 8461 §3.1, §3.2).</summary>
    public const int MaxExtensionNameLength = 32;

    public static bool IsAlpha(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    public static bool IsAlphaNum(char c) => IsAlpha(c) || IsDigit(c);

    /// <summary>WSP = SP / HTAB (RFC 5234).</summary>
    public static bool IsWsp(char c) => c is ' ' or '\t';

    /// <summary>
    /// <c>ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")</c>: the shape shared by
    /// <c>sts-ext-name</c>, <c>sts-policy-ext-name</c> and <c>tlsrpt-ext-name</c>.
    /// </summary>
    public static bool IsExtensionName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxExtensionNameLength || !IsAlphaNum(name[0]))
        {
            return false;
        }

        for (var i = 1; i < name.Length; i++)
        {
            var c = name[i];
            if (!IsAlphaNum(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>1*(%x21-3A / %x3C / %x3E-7E)</c>: printable US-ASCII except "=", ";" and SP
    /// (<c>sts-ext-value</c>, RFC 8461 §3.1; <c>tlsrpt-ext-value</c>, RFC 8460 §3).
    /// </summary>
    public static bool IsTxtExtensionValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~' or '=' or ';')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar]</c> where
    /// <c>sts-policy-vchar = %x21-7E / UTF8-2 / UTF8-3 / UTF8-4</c> (RFC 8461 §3.2): printable ASCII or
    /// any Unicode scalar value, inner spaces, no TAB or other control, no leading or trailing space.
    /// </summary>
    public static bool IsPolicyExtensionValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value[0] == ' ' || value[^1] == ' ')
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80)
            {
                if (c is < ' ' or (char)0x7F)
                {
                    return false;
                }
            }
            else if (char.IsHighSurrogate(c))
            {
                // A UTF-16 pair is one UTF8-4 scalar; a lone surrogate is not UTF-8 at all.
                if (++i >= value.Length || !char.IsLowSurrogate(value[i]))
                {
                    return false;
                }
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
