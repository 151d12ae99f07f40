using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace MtaSts;

/// <summary>
/// An MTA-STS policy as served at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>: its mode, how long
/// it may be cached, and the MX host patterns mail may be delivered to.
/// </summary>
/// <remarks>
/// <para>RFC 8461 §3.2. Parsing is strict and follows the project's documented decisions: LF or CRLF line
/// endings (mixed allowed, the last optional), a leading UTF-8 byte-order mark skipped, empty lines allowed only
/// at the very end, no whitespace before a field name or its colon, the first <c>version</c>, <c>mode</c> and
/// <c>max_age</c> decide and must be valid, <c>max_age</c> above 31557600 clamped, every <c>mx</c> a valid
/// pattern, unknown fields ignored when well-formed, and at most 65,536 UTF-8 bytes.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed partial class MtaStsPolicy
{
    /// <summary>The largest policy body, in UTF-8 bytes, that is accepted (RFC 8461 §3.3 suggests 64 KiB).</summary>
    internal const int MaxPolicyBytes = 65536;

    /// <summary>The largest <c>max_age</c>, in seconds: one Julian year (RFC 8461 §3.2).</summary>
    internal const long MaxMaxAgeSeconds = 31_557_600;

    private readonly MxPattern[] _mxPatterns;
    private ReadOnlyCollection<string>? _lines;

    private MtaStsPolicy(
        string text,
        int textStart,
        MtaStsMode mode,
        TimeSpan maxAge,
        MxPattern[] mxPatterns,
        IReadOnlyList<KeyValuePair<string, string>> extensions)
    {
        Text = textStart == 0 ? text : text[textStart..];
        Mode = mode;
        MaxAge = maxAge;
        _mxPatterns = mxPatterns;
        MxPatterns = mxPatterns.Length == 0 ? ReadOnlyCollection<MxPattern>.Empty : new ReadOnlyCollection<MxPattern>(mxPatterns);
        Extensions = extensions;
    }

    /// <summary>Gets the policy mode: what to do when an MX host fails validation.</summary>
    public MtaStsMode Mode { get; }

    /// <summary>Gets how long the policy may be cached, after clamping <c>max_age</c> to at most 31557600 seconds (one year).</summary>
    /// <remarks>RFC 8461 §3.2; a <c>max_age</c> of 0 is valid and means the policy applies to the current delivery only.</remarks>
    public TimeSpan MaxAge { get; }

    /// <summary>Gets the <c>mx</c> patterns in the order they appear. Empty only when <see cref="Mode"/> is <see cref="MtaStsMode.None"/>.</summary>
    public IReadOnlyList<MxPattern> MxPatterns { get; }

    /// <summary>Gets the unknown fields, and repeated <c>version</c>, <c>mode</c> and <c>max_age</c> fields, as name/value pairs in the order received.</summary>
    /// <remarks>RFC 8461 §3.2: such fields are ignored; they are kept here for diagnostics only.</remarks>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <summary>Gets the policy text as received, decoded from UTF-8, without a leading byte-order mark.</summary>
    public string Text { get; }

    /// <summary>
    /// Gets the policy lines as received, without their line terminators and without empty lines at the end: the
    /// <c>policy-string</c> of a TLS-RPT report (RFC 8460 §4.5).
    /// </summary>
    public IReadOnlyList<string> Lines => _lines ??= SplitLines(Text);

    /// <summary>Determines whether mail may be delivered to <paramref name="mxHost"/> under this policy's patterns.</summary>
    /// <param name="mxHost">The MX host name as found in the MX record: ASCII or U-labels, any case, with or without one trailing dot.</param>
    /// <returns><see langword="true"/> when the host matches at least one of <see cref="MxPatterns"/> (RFC 8461 §4.1).</returns>
    /// <remarks>Allocation-free for ASCII host names.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is <see langword="null"/>.</exception>
    public bool MatchesMx(string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        if (!MxHostName.TryNormalize(mxHost, out var host, out var firstDot))
        {
            return false;
        }

        foreach (var pattern in _mxPatterns)
        {
            if (pattern.MatchesNormalized(host, firstDot))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses a policy, throwing when it is invalid.</summary>
    /// <param name="text">The policy text.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="MtaStsFormatException"><paramref name="text"/> is not a valid policy; the message names the line and the rule broken.</exception>
    public static MtaStsPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var policy = ParseCore(text, out var error);
        return policy ?? throw new MtaStsFormatException(error.Line, error.Rule!);
    }

    /// <summary>Parses a policy.</summary>
    /// <param name="text">The policy text.</param>
    /// <param name="policy">The policy, when <paramref name="text"/> is valid.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a valid policy; never throws for bad input.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParse(string text, [NotNullWhen(true)] out MtaStsPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(text);
        policy = ParseCore(text, out _);
        return policy is not null;
    }

    /// <summary>Parses a policy from the UTF-8 bytes of an HTTPS response body.</summary>
    /// <param name="utf8">The body.</param>
    /// <param name="policy">The policy, when <paramref name="utf8"/> is a valid policy.</param>
    /// <returns><see langword="true"/> when the bytes are at most 65,536, well-formed UTF-8 and a valid policy; never throws.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out MtaStsPolicy? policy)
    {
        policy = TryDecode(utf8, out var text, out _) ? ParseCore(text, out _) : null;
        return policy is not null;
    }

    /// <summary>Decodes a body for <see cref="ParseCore"/>, reporting why it cannot be decoded.</summary>
    internal static bool TryDecode(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out string? text, out ParseError error)
    {
        text = null;
        if (utf8.Length > MaxPolicyBytes)
        {
            error = new(null, Rules.TooLarge);
            return false;
        }

        // Decision 16: bytes that are not UTF-8 make the policy invalid (no replacement characters).
        if (!Utf8.IsValid(utf8))
        {
            error = new(null, Rules.NotUtf8);
            return false;
        }

        text = Encoding.UTF8.GetString(utf8);
        error = default;
        return true;
    }

    private static ReadOnlyCollection<string> SplitLines(string text)
    {
        var lines = new List<string>();
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range);
            lines.Add(line.EndsWith('\r') ? line[..^1].ToString() : line.ToString());
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines.AsReadOnly();
    }

    /// <summary>Creates the read-only view of a list built while parsing.</summary>
    private static ReadOnlyCollection<T> Freeze<T>(List<T>? items) =>
        items is null ? ReadOnlyCollection<T>.Empty : new ReadOnlyCollection<T>(items);
}
