using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// The MTA-STS TXT record found at <c>_mta-sts.&lt;policy domain&gt;</c>: it says that the domain has a policy
/// and names the policy's current version (<see cref="Id"/>).
/// </summary>
/// <remarks>
/// RFC 8461 §3.1. Parsing is strict: the record must match the ABNF exactly (no trailing whitespace without a
/// <c>;</c>, no empty field, no whitespace around <c>=</c>, US-ASCII only). Instances are immutable and thread-safe.
/// </remarks>
public sealed class MtaStsRecord
{
    /// <summary>The version tag every MTA-STS TXT record starts with.</summary>
    internal const string Version = "v=STSv1";

    /// <summary>The longest <c>id</c>: <c>sts-id = %s"id=" 1*32(ALPHA / DIGIT)</c>.</summary>
    internal const int MaxIdLength = 32;

    private MtaStsRecord(string id, IReadOnlyList<KeyValuePair<string, string>> extensions)
    {
        Id = id;
        Extensions = extensions;
    }

    /// <summary>Gets the policy version id: 1–32 ASCII letters and digits, compared ordinally (case-sensitively).</summary>
    /// <remarks>RFC 8461 §3.1: the id is opaque; a change means the policy must be fetched again.</remarks>
    public string Id { get; }

    /// <summary>
    /// Gets the fields other than <c>v</c> and the deciding <c>id</c>, as name/value pairs in the order received
    /// (this includes a repeated <c>id</c> or <c>v</c>, which carries no meaning). Empty for most records.
    /// </summary>
    /// <remarks>RFC 8461 §3.2: unknown fields are ignored; they are kept here for diagnostics only.</remarks>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <summary>Parses the text of one TXT resource record (its character-strings already joined with no separator).</summary>
    /// <param name="text">The record text, for example <c>v=STSv1; id=20160831085700Z;</c>.</param>
    /// <param name="record">The record, when <paramref name="text"/> is valid.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> matches the RFC 8461 §3.1 grammar; never throws for bad input.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParse(string text, [NotNullWhen(true)] out MtaStsRecord? record)
    {
        ArgumentNullException.ThrowIfNull(text);
        record = null;

        // RFC 8461 §3.1: "v: Currently, only 'STSv1' is supported." and the record MUST begin with sts-version.
        if (!TxtFieldReader.IsCandidate(text, Version))
        {
            return false;
        }

        string? id = null;
        List<KeyValuePair<string, string>>? extensions = null;
        var reader = new TxtFieldReader(text, Version.Length);
        while (reader.MoveNext(out var name, out var value))
        {
            if (id is null && name.SequenceEqual("id"))
            {
                // Decision 4: the first field named "id" decides; sts-id = %s"id=" 1*32(ALPHA / DIGIT).
                if (!IsValidId(value))
                {
                    return false;
                }

                id = value.ToString();
                continue;
            }

            // sts-extension = sts-ext-name "=" sts-ext-value; a later id= or v= is an extension too.
            if (!Abnf.IsExtensionName(name) || !Abnf.IsTxtExtensionValue(value))
            {
                return false;
            }

            (extensions ??= []).Add(new(name.ToString(), value.ToString()));
        }

        if (reader.IsInvalid || id is null)
        {
            return false;
        }

        record = new MtaStsRecord(id, extensions is null ? ReadOnlyCollection<KeyValuePair<string, string>>.Empty : extensions.AsReadOnly());
        return true;
    }

    /// <summary>
    /// Applies the RFC 8461 §3.1 selection to every TXT resource record found at <c>_mta-sts.&lt;domain&gt;</c>
    /// and parses the one that is left.
    /// </summary>
    /// <param name="records">The text of each resource record, its character-strings joined with no separator (never join different records).</param>
    /// <param name="record">The record, when exactly one candidate exists and it is valid.</param>
    /// <returns>
    /// <see langword="true"/> when exactly one record starts with <c>v=STSv1</c> (followed by the end, SP, TAB or <c>;</c>)
    /// and that record is valid; otherwise <see langword="false"/>, which means the domain has no usable record now.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or one of its items is <see langword="null"/>.</exception>
    public static bool TryParseRecordSet(IEnumerable<string> records, [NotNullWhen(true)] out MtaStsRecord? record)
    {
        record = null;

        // RFC 8461 §3.1: "If the number of resulting records is not one, or if the resulting record is
        // syntactically invalid, senders MUST assume the recipient domain does not have an available MTA-STS Policy."
        return TxtFieldReader.SelectSingleCandidate(records, Version) is { } candidate && TryParse(candidate, out record);
    }

    private static bool IsValidId(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!Abnf.IsAlphaNum(c))
            {
                return false;
            }
        }

        return true;
    }
}
