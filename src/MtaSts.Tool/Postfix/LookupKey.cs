using System.Net;
using System.Text;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// Turns the key of a socketmap request (the next-hop destination Postfix looks up) into the candidate policy domain:
/// <c>[host]:port</c>, <c>[host]</c> and <c>host:port</c> lose their brackets and port, one trailing dot goes, ASCII
/// letters are lower-cased. The candidate is then checked once per distinct key by <see cref="DomainTable"/>.
/// </summary>
/// <remarks>
/// RFC 8461 §3.4: address literals have no policy. Postfix looks up parent domains as <c>.example.com</c>
/// (<c>smtp_tls_policy_maps</c> with a leading dot); MTA-STS policies apply to exactly one domain, so such keys, like
/// addresses and anything that is not a domain name, answer <c>NOTFOUND</c>.
/// </remarks>
internal static class LookupKey
{
    /// <summary>The longest key worth looking at: a domain name (253) with brackets, a port and spare room.</summary>
    public const int MaxCandidateLength = 320;

    /// <summary>
    /// Writes the candidate for <paramref name="key"/> into <paramref name="destination"/> (ASCII keys only).
    /// </summary>
    /// <returns>The candidate's length; 0 when the key cannot be a domain (empty, an address literal, a leading dot);
    /// -1 when the key holds non-ASCII bytes and needs <see cref="NormalizeSlow"/>.</returns>
    public static int Normalize(ReadOnlySpan<byte> key, Span<char> destination)
    {
        key = key.Trim((byte)' ').Trim((byte)'\t');
        if (key.IsEmpty)
        {
            return 0;
        }

        if (key[0] == (byte)'[')
        {
            // "[host]" or "[host]:port": the host between the brackets; an address inside them is a literal.
            var close = key.IndexOf((byte)']');
            if (close < 0 || !IsPortSuffix(key[(close + 1)..]))
            {
                return 0;
            }

            key = key[1..close];
        }
        else if (key.IndexOf((byte)':') is var colon and >= 0)
        {
            // "host:port"; an IPv6 address has several colons and is not a domain either.
            if (!IsPortSuffix(key[colon..]))
            {
                return 0;
            }

            key = key[..colon];
        }

        if (key.Length > 0 && key[^1] == (byte)'.')
        {
            key = key[..^1];
        }

        if (key.IsEmpty || key[0] == (byte)'.' || key.Length > destination.Length)
        {
            return 0;
        }

        for (var i = 0; i < key.Length; i++)
        {
            var b = key[i];
            if (b >= 0x80)
            {
                return -1;
            }

            destination[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
        }

        return key.Length;
    }

    /// <summary>The same as <see cref="Normalize"/> for keys with non-ASCII bytes (U-labels in UTF-8).</summary>
    /// <returns>The candidate, or <see langword="null"/> when the key cannot be a domain.</returns>
    public static string? NormalizeSlow(ReadOnlySpan<byte> key)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        text = text.Trim(' ', '\t');
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IsPortSuffix(Encoding.UTF8.GetBytes(text[(close + 1)..])))
            {
                return null;
            }

            text = text[1..close];
        }
        else if (text.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
        {
            if (!IsPortSuffix(Encoding.UTF8.GetBytes(text[colon..])))
            {
                return null;
            }

            text = text[..colon];
        }

        text = text.EndsWith('.') ? text[..^1] : text;
        return text.Length == 0 || text[0] == '.' ? null : text;
    }

    /// <summary>
    /// Whether a normalised candidate is a policy domain, and its normal form (A-labels). Address literals, IP addresses
    /// and non-domains are not.
    /// </summary>
    public static bool TryGetPolicyDomain(string candidate, out string policyDomain)
    {
        policyDomain = string.Empty;
        if (IPAddress.TryParse(candidate, out _) || !PolicyDomainName.TryParse(candidate, out var name))
        {
            return false;
        }

        policyDomain = name.Value;
        return true;
    }

    /// <summary>Empty, or ":" followed by 1-5 digits.</summary>
    private static bool IsPortSuffix(ReadOnlySpan<byte> suffix)
    {
        if (suffix.IsEmpty)
        {
            return true;
        }

        if (suffix[0] != (byte)':' || suffix.Length is < 2 or > 6)
        {
            return false;
        }

        foreach (var b in suffix[1..])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }
}
