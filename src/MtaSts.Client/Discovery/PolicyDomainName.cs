using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace MtaSts;

/// <summary>
/// A policy domain in normal form (Decision 23): A-labels, lower case, no trailing dot, at least two labels. Made once
/// from a recipient address's domain, then compared ordinally: <c>Bücher.Example.</c> and <c>xn--bcher-kva.example</c>
/// are the same policy domain.
/// </summary>
/// <remarks>Address literals (<c>[192.0.2.1]</c>) and bare IP addresses are not domains: RFC 8461 §3.4 gives them no policy.</remarks>
public readonly struct PolicyDomainName : IEquatable<PolicyDomainName>
{
    private static readonly SearchValues<char> NormalChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    private readonly string? _value;

    private PolicyDomainName(string value) => _value = value;

    /// <summary>Gets the normal form; empty for <see langword="default"/>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Tests two names for equality (ordinal on the normal form).</summary>
    /// <param name="left">A name.</param>
    /// <param name="right">Another name.</param>
    /// <returns><see langword="true"/> when both are the same policy domain.</returns>
    public static bool operator ==(PolicyDomainName left, PolicyDomainName right) => left.Equals(right);

    /// <summary>Tests two names for inequality.</summary>
    /// <param name="left">A name.</param>
    /// <param name="right">Another name.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(PolicyDomainName left, PolicyDomainName right) => !left.Equals(right);

    /// <summary>Normalises <paramref name="domain"/>.</summary>
    /// <param name="domain">A domain: U-labels, upper case and a trailing dot are accepted.</param>
    /// <returns>The policy domain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is empty, an address literal or an IP address, or not a host name; the message says which.</exception>
    public static PolicyDomainName Parse(string domain) => new(Normalize(domain, nameof(domain)));

    /// <summary>Normalises <paramref name="domain"/> without throwing.</summary>
    /// <param name="domain">A domain, or <see langword="null"/>.</param>
    /// <param name="result">The policy domain, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="domain"/> is a domain name.</returns>
    public static bool TryParse([NotNullWhen(true)] string? domain, out PolicyDomainName result)
    {
        result = default;
        if (domain is null)
        {
            return false;
        }

        try
        {
            result = new(Normalize(domain, nameof(domain)));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public bool Equals(PolicyDomainName other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PolicyDomainName other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Returns the normal form.</summary>
    /// <returns><see cref="Value"/>.</returns>
    public override string ToString() => Value;

    /// <summary>
    /// Whether <paramref name="domain"/> may already be in normal form: only lower-case letters, digits, dots and
    /// hyphens, and no trailing dot. Cheap enough for the cache-hit path; a name that passes still needs
    /// <see cref="Normalize"/> before it is first stored.
    /// </summary>
    internal static bool LooksNormalized(string domain) =>
        domain.Length > 0 && domain[^1] != '.' && !domain.AsSpan().ContainsAnyExcept(NormalChars);

    /// <summary>Returns the normal form of a policy domain.</summary>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is empty, an address literal or an IP address, or not a host name.</exception>
    internal static string Normalize(string domain, string paramName)
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
