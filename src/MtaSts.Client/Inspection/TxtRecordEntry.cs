namespace MtaSts;

/// <summary>One TXT resource record found at <c>_mta-sts</c> or <c>_smtp._tls</c>, and how the selection judged it.</summary>
public sealed class TxtRecordEntry
{
    internal TxtRecordEntry(string text, bool isCandidate, bool isValid)
    {
        Text = text;
        IsCandidate = isCandidate;
        IsValid = isValid;
    }

    /// <summary>Gets the record text, its character-strings joined with no separator.</summary>
    public string Text { get; }

    /// <summary>
    /// Gets a value indicating whether the record starts with the version tag (<c>v=STSv1</c> or <c>v=TLSRPTv1</c>) followed by
    /// the end, SP, TAB or <c>;</c>: only such records take part in the selection (RFC 8461 §3.1, RFC 8460 §3).
    /// </summary>
    public bool IsCandidate { get; }

    /// <summary>Gets a value indicating whether the record is valid on its own (a candidate that matches the grammar).</summary>
    public bool IsValid { get; }
}
