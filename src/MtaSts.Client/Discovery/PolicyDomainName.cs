using System.Buffers;
using System.Globalization;
using System.Net;

namespace MtaSts;

/// <summary>Normalises policy domains: A-labels, lower case, no trailing dot (Decision 23).</summary>
internal static class PolicyDomainName
{
    private static readonly SearchValues<char> NormalChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>
    /// Whether <paramref name="domain"/> may already be in normal form: only lower-case letters, digits, dots and
    /// hyphens, and no trailing dot. Cheap enough for the cache-hit path; a name that passes still needs
    /// <see cref="Normalize"/> before it is first stored.
    /// </summary>
    public static bool LooksNormalized(string domain) =>
        domain.Length > 0 && domain[^1] != '.' && !domain.AsSpan().ContainsAnyExcept(NormalChars);

    /// <summary>Returns the normal form of a policy domain.</summary>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is empty, an address literal or an IP address, or not a host name.</exception>
    public static string Normalize(string domain, string paramName)
    {
        ArgumentNullException.ThrowIfNull(domain, paramName);
        var span = domain.AsSpan().Trim();
        if (span.Length > 0 && span[^1] == '.')
        {
            span = span[..^1];
        }

        if (span.IsEmpty)
        {
            throw new ArgumentException("The policy domain is empty.", paramName);
        }

        // RFC 8461 §3.4: address-literal recipients (user@[192.0.2.1]) have no policy.
        if (span[0] == '[' || IPAddress.TryParse(span, out _))
        {
            throw new ArgumentException($"'{domain}' is an address literal, not a domain name; address literals have no MTA-STS policy (RFC 8461 §3.4).", paramName);
        }

        string ascii;
        if (span.ContainsAnyExceptInRange((char)0, (char)0x7F))
        {
            try
            {
                ascii = Idn.GetAscii(span.ToString());
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"'{domain}' is not a valid internationalized domain name: {ex.Message}", paramName, ex);
            }
        }
        else
        {
            ascii = span.ToString().ToLowerInvariant();
        }

        if (!DomainNameSyntax.IsLdhDomain(ascii) || !ascii.Contains('.', StringComparison.Ordinal)
            || ascii.Length > DomainNameSyntax.MaxNameLength - "_mta-sts.".Length)
        {
            throw new ArgumentException($"'{domain}' is not a domain name (labels of letters, digits and hyphens separated by dots, at least two labels).", paramName);
        }

        return ascii == domain ? domain : ascii;
    }
}
