using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// One <c>mx</c> value of an MTA-STS policy: a host name, or <c>*.</c> followed by a domain that stands for
/// any host exactly one label below it.
/// </summary>
/// <remarks>
/// RFC 8461 §3.2 (<c>sts-policy-mx = ["*."] Domain</c>, A-labels only) and §4.1 (matching). Instances are
/// immutable and thread-safe. Matching is ordinal and culture-free: ASCII case is ignored, one trailing root
/// dot on the host is ignored, and a host given in U-labels is converted to A-labels first.
/// </remarks>
public sealed class MxPattern : IEquatable<MxPattern>
{
    private readonly string _text;

    // The pattern in lower case; for a wildcard the "*." stays in front and is skipped when comparing.
    private readonly string _lower;

    private MxPattern(string text)
    {
        _text = text;
        _lower = text.AsSpan().ContainsAnyInRange('A', 'Z') ? text.ToLowerInvariant() : text;
        IsWildcard = text.StartsWith("*.", StringComparison.Ordinal);
    }

    /// <summary>Gets a value indicating whether the pattern starts with <c>*.</c> and so matches any single left-most label.</summary>
    public bool IsWildcard { get; }

    /// <summary>Parses one <c>mx</c> pattern.</summary>
    /// <param name="text">The pattern, such as <c>mail.example.com</c> or <c>*.example.net</c>, without surrounding whitespace.</param>
    /// <param name="pattern">The pattern, when <paramref name="text"/> is valid.</param>
    /// <returns>
    /// <see langword="true"/> when <paramref name="text"/> is an optional <c>*.</c> followed by an LDH domain in
    /// A-labels (labels of 1–63 characters, no hyphen at either end, at most 253 characters, no trailing dot,
    /// last label not all digits); <see langword="false"/> for anything else, including U-labels, a lone
    /// <c>*</c>, a <c>*</c> that is not the whole left-most label, underscores, ports and lists.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParse(string text, [NotNullWhen(true)] out MxPattern? pattern)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsValid(text))
        {
            pattern = new MxPattern(text);
            return true;
        }

        pattern = null;
        return false;
    }

    /// <summary>Whether <paramref name="text"/> is a valid pattern (see <see cref="TryParse"/>).</summary>
    internal static bool IsValid(ReadOnlySpan<char> text)
    {
        // RFC 8461 §3.2: sts-policy-mx = %s"mx" sts-policy-field-delim ["*."] Domain
        var domain = text.StartsWith("*.") ? text[2..] : text;
        return DomainNameSyntax.IsLdhDomain(domain);
    }

    /// <summary>Creates a pattern from text already checked with <see cref="IsValid"/>.</summary>
    internal static MxPattern CreateUnchecked(string text) => new(text);

    /// <summary>Determines whether the MX host name <paramref name="mxHost"/> satisfies this pattern.</summary>
    /// <param name="mxHost">The MX host name as found in the MX record: ASCII or U-labels, any case, with or without one trailing dot.</param>
    /// <returns><see langword="true"/> when the host equals the pattern, or the pattern is a wildcard and the host has exactly one non-empty label in front of the pattern's domain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is <see langword="null"/>.</exception>
    public bool Matches(string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        return MxHostName.TryNormalize(mxHost, out var host, out var firstDot) && MatchesNormalized(host, firstDot);
    }

    /// <summary>Matches a host already normalised by <see cref="MxHostName.TryNormalize"/>.</summary>
    internal bool MatchesNormalized(ReadOnlySpan<char> host, int firstDot)
    {
        if (!IsWildcard)
        {
            return System.Text.Ascii.EqualsIgnoreCase(host, _lower);
        }

        // RFC 8461 §4.1: "the wildcard character '*' [...] matches only the left-most label", exactly one
        // whole, non-empty label (Appendix B: split at the first dot and compare the remainder).
        // The label the wildcard stands for must itself be an LDH label: 1-63 characters, no hyphen at either end.
        return firstDot is > 0 and <= DomainNameSyntax.MaxLabelLength
            && host[0] != '-'
            && host[firstDot - 1] != '-'
            && System.Text.Ascii.EqualsIgnoreCase(host[(firstDot + 1)..], _lower.AsSpan(2));
    }

    /// <summary>Returns the pattern text exactly as it was written in the policy.</summary>
    /// <returns>The pattern text.</returns>
    public override string ToString() => _text;

    /// <summary>Determines whether two patterns are the same, ignoring ASCII case.</summary>
    /// <param name="other">The other pattern.</param>
    /// <returns><see langword="true"/> when both patterns match the same hosts.</returns>
    public bool Equals(MxPattern? other) => other is not null && string.Equals(_lower, other._lower, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MxPattern);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_lower);
}
