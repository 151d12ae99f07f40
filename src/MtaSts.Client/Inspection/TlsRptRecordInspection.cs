namespace MtaSts;

/// <summary>The <c>_smtp._tls</c> TXT lookup of a policy domain, and the TLS-RPT record the RFC 8460 §3 selection kept.</summary>
public sealed class TlsRptRecordInspection : TxtRecordInspection
{
    internal TlsRptRecordInspection(string queryName, TxtLookupResult lookup)
        : this(queryName, lookup, TlsRptRecord.TryParseRecordSet(lookup.Records, out var record) ? record : null)
    {
    }

    private TlsRptRecordInspection(string queryName, TxtLookupResult lookup, TlsRptRecord? record)
        : this(queryName, lookup, record, Judge(lookup, TlsRptRecord.Version, static t => TlsRptRecord.TryParse(t, out _), record is not null, "tlsrpt"))
    {
    }

    private TlsRptRecordInspection(string queryName, TxtLookupResult lookup, TlsRptRecord? record, (IReadOnlyList<TxtRecordEntry> Entries, string? Problem) judged)
        : base(queryName, lookup.Status, lookup.Error, judged.Entries, judged.Problem)
    {
        Record = lookup.Status == DnsLookupStatus.Found ? record : null;
    }

    /// <summary>Gets the TLS-RPT record selected: where reports about the domain go. <see langword="null"/> when none is usable.</summary>
    public TlsRptRecord? Record { get; }
}
