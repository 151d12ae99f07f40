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
    /// The hot-path guard of MX matching: at most 253 characters, only letters, digits, hyphens and dots, and the index
    /// of the first dot. Structure (empty or over-long labels, edge hyphens) is not checked: an exact comparison with a
    /// valid pattern cannot succeed without it, and <see cref="MxPattern"/> checks the one label a wildcard stands for.
    /// </summary>
    public static bool IsAsciiHostCandidate(ReadOnlySpan<char> host, out int firstDot)
    {
        if (host.IsEmpty || host.Length > MaxNameLength || host.ContainsAnyExcept(HostChars))
        {
            firstDot = -1;
            return false;
        }

        firstDot = host.IndexOf('.');
        return true;
    }
}
