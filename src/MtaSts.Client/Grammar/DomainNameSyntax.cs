using System.Buffers;

namespace MtaSts;

/// <summary>
/// The LDH host-name syntax of RFC 5321 §4.1.2 (<c>Domain</c>), with the DNS length limits of RFC 1035 §2.3.4.
/// </summary>
internal static class DomainNameSyntax
{
    private static readonly SearchValues<char> HostChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");

    public const int MaxLabelLength = 63;
    public const int MaxNameLength = 253;

    /// <summary>
    /// Whether <paramref name="name"/> is an A-label/LDH domain: labels of 1–63 letters, digits and hyphens,
    /// no hyphen at either end, no empty label (so no trailing dot), at most 253 characters, and a last
    /// label that is not all digits (an IPv4 address look-alike).
    /// </summary>
    public static bool IsLdhDomain(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return false;
        }

        var labelStart = 0;
        var allDigits = true;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == '.')
            {
                var length = i - labelStart;
                if (length is 0 or > MaxLabelLength || name[labelStart] == '-' || name[i - 1] == '-')
                {
                    return false;
                }

                if (i == name.Length)
                {
                    return !allDigits;
                }

                labelStart = i + 1;
                allDigits = true;
                continue;
            }

            var c = name[i];
            if (Abnf.IsDigit(c))
            {
                continue;
            }

            allDigits = false;
            if (!Abnf.IsAlpha(c) && c != '-')
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Checks that an ASCII host name is made of letters, digits, hyphens and dots in labels of 1–63
    /// characters, at most 253 in all, and returns the index of its first dot (-1 for a single label).
    /// Cheaper than <see cref="IsLdhDomain"/> (vectorised searches, no per-label hyphen rules): it is the
    /// hot-path guard before an ordinal comparison with patterns that were fully validated.
    /// </summary>
    public static bool IsAsciiHostName(ReadOnlySpan<char> host, out int firstDot)
    {
        firstDot = -1;
        if (host.IsEmpty || host.Length > MaxNameLength || host.ContainsAnyExcept(HostChars)
            || host[0] == '.' || host[^1] == '.' || host.IndexOf("..") >= 0)
        {
            return false;
        }

        firstDot = host.IndexOf('.');
        if (host.Length <= MaxLabelLength)
        {
            return true;
        }

        // Only a long name can hold a label over 63 characters.
        var rest = host;
        while (true)
        {
            var dot = rest.IndexOf('.');
            if ((dot < 0 ? rest.Length : dot) > MaxLabelLength)
            {
                return false;
            }

            if (dot < 0)
            {
                return true;
            }

            rest = rest[(dot + 1)..];
        }
    }
}
