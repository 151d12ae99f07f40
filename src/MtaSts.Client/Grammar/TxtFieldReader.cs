namespace MtaSts;

/// <summary>
/// Reads the <c>1*(field-delim field) [field-delim]</c> part that follows the version tag of an
/// <c>_mta-sts</c> (RFC 8461 §3.1) or <c>_smtp._tls</c> (RFC 8460 §3) TXT record, where
/// <c>field-delim = *WSP ";" *WSP</c> and <c>field = name "=" value</c>.
/// </summary>
/// <remarks>
/// Strict (Decision 3): trailing whitespace without a following <c>;</c>, an empty field (<c>;;</c>) and a
/// field without <c>=</c> are errors. Names are returned unchecked; values have their surrounding
/// whitespace removed only where it belongs to a delimiter.
/// </remarks>
internal ref struct TxtFieldReader
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    public TxtFieldReader(ReadOnlySpan<char> text, int start)
    {
        _text = text;
        _position = start;
    }

    /// <summary>Gets the number of fields read so far.</summary>
    public int FieldCount { get; private set; }

    /// <summary>Gets a value indicating whether the text broke the field grammar.</summary>
    public bool IsInvalid { get; private set; }

    /// <summary>Reads the next field. Returns <see langword="false"/> at the end of valid text or on an error (see <see cref="IsInvalid"/>).</summary>
    public bool MoveNext(out ReadOnlySpan<char> name, out ReadOnlySpan<char> value)
    {
        name = default;
        value = default;
        if (IsInvalid || _position >= _text.Length)
        {
            // sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
            IsInvalid |= FieldCount == 0;
            return false;
        }

        var rest = _text[_position..];
        var afterWsp = rest.TrimStart(" \t");
        if (afterWsp.IsEmpty || afterWsp[0] != ';')
        {
            // Whitespace not followed by ";" (trailing WSP, or "v=STSv1 id=..."), or two fields without a delimiter.
            return Fail();
        }

        var field = afterWsp[1..].TrimStart(" \t");
        if (field.IsEmpty)
        {
            // A trailing delimiter is allowed, but only after at least one field.
            _position = _text.Length;
            IsInvalid = FieldCount == 0;
            return false;
        }

        var end = field.IndexOf(';');
        var raw = end < 0 ? field : field[..end];
        var trimmed = raw.TrimEnd(" \t");
        if (end < 0 && trimmed.Length != raw.Length)
        {
            // Trailing whitespace at the very end belongs to no delimiter.
            return Fail();
        }

        var equals = trimmed.IndexOf('=');
        if (equals <= 0)
        {
            return Fail();
        }

        name = trimmed[..equals];
        value = trimmed[(equals + 1)..];
        _position = _text.Length - field.Length + trimmed.Length;
        FieldCount++;
        return true;
    }

    private bool Fail()
    {
        IsInvalid = true;
        return false;
    }

    /// <summary>
    /// Decision 2: whether a TXT record's text starts with <paramref name="version"/> followed by the end of
    /// the text, SP, TAB or ";". Only such records are candidates in the RFC 8461 §3.1 / RFC 8460 §3 selection.
    /// </summary>
    public static bool IsCandidate(ReadOnlySpan<char> text, string version) =>
        text.StartsWith(version, StringComparison.Ordinal)
        && (text.Length == version.Length || text[version.Length] is ' ' or '\t' or ';');

    /// <summary>
    /// Decisions 1–2: the one record of <paramref name="records"/> that is a candidate for <paramref name="version"/>,
    /// or <see langword="null"/> when there is none or more than one. Every item is checked for <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or one of its items is <see langword="null"/>.</exception>
    public static string? SelectSingleCandidate(IEnumerable<string> records, string version)
    {
        ArgumentNullException.ThrowIfNull(records);
        string? candidate = null;
        var candidates = 0;
        foreach (var text in records)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(records));
            if (IsCandidate(text, version))
            {
                candidates++;
                candidate = text;
            }
        }

        return candidates == 1 ? candidate : null;
    }
}
