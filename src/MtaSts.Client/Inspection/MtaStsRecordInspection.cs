namespace MtaSts;

/// <summary>The <c>_mta-sts</c> TXT lookup of a policy domain, and the record the RFC 8461 §3.1 selection kept.</summary>
public sealed class MtaStsRecordInspection : TxtRecordInspection
{
    internal MtaStsRecordInspection(string queryName, TxtLookupResult lookup)
        : this(queryName, lookup, MtaStsRecord.TryParseRecordSet(lookup.Records, out var record) ? record : null)
    {
    }

    private MtaStsRecordInspection(string queryName, TxtLookupResult lookup, MtaStsRecord? record)
        : this(queryName, lookup, record, Judge(lookup, MtaStsRecord.Version, static t => MtaStsRecord.TryParse(t, out _), record is not null, "txt"))
    {
    }

    private MtaStsRecordInspection(string queryName, TxtLookupResult lookup, MtaStsRecord? record, (IReadOnlyList<TxtRecordEntry> Entries, string? Problem) judged)
        : base(queryName, lookup.Status, lookup.Error, judged.Entries, judged.Problem)
    {
        Record = lookup.Status == DnsLookupStatus.Found ? record : null;
    }

    /// <summary>
    /// Gets the record selected: exactly one record starts with <c>v=STSv1</c> and it is valid. <see langword="null"/>
    /// means the domain has no usable record now, and a sender with nothing cached applies no policy (RFC 8461 §3.1).
    /// </summary>
    public MtaStsRecord? Record { get; }
}
