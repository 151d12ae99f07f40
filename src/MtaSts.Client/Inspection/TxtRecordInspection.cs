namespace MtaSts;

/// <summary>
/// A TXT lookup as <see cref="MtaStsInspector"/> made it: every record found, and why the selection the library makes
/// rejected them, if it did. <see cref="MtaStsRecordInspection"/> and <see cref="TlsRptRecordInspection"/> add the record selected.
/// </summary>
public abstract class TxtRecordInspection
{
    private protected TxtRecordInspection(string queryName, DnsLookupStatus outcome, string? dnsError, IReadOnlyList<TxtRecordEntry> records, string? problem)
    {
        QueryName = queryName;
        Outcome = outcome;
        DnsError = dnsError;
        Records = records;
        Problem = problem;
    }

    /// <summary>Gets the name queried, such as <c>_mta-sts.example.com</c>.</summary>
    public string QueryName { get; }

    /// <summary>Gets how the query ended.</summary>
    public DnsLookupStatus Outcome { get; }

    /// <summary>Gets the DNS failure code when <see cref="Outcome"/> is <see cref="DnsLookupStatus.TemporaryFailure"/> (such as <c>dns-servfail</c> or <c>dns-transport-error</c>).</summary>
    public string? DnsError { get; }

    /// <summary>Gets every TXT record found at <see cref="QueryName"/>, in the order received, candidates or not.</summary>
    public IReadOnlyList<TxtRecordEntry> Records { get; }

    /// <summary>
    /// Gets why no record was selected, as a reason code: the DNS failure code, or for <c>_mta-sts</c>
    /// <c>txt-record-not-found</c>, <c>txt-record-multiple</c> or <c>txt-record-invalid</c> (the codes the resolver logs and
    /// reports), for <c>_smtp._tls</c> <c>tlsrpt-record-not-found</c>, <c>tlsrpt-record-multiple</c> or <c>tlsrpt-record-invalid</c>;
    /// <see langword="null"/> when a record was selected.
    /// </summary>
    public string? Problem { get; }

    /// <summary>Judges each record and names the problem of a selection that found nothing.</summary>
    internal static (IReadOnlyList<TxtRecordEntry> Entries, string? Problem) Judge(
        TxtLookupResult lookup, string version, Func<string, bool> isValid, bool selected, string problemPrefix)
    {
        var entries = lookup.Records
            .Select(text =>
            {
                var candidate = TxtFieldReader.IsCandidate(text, version);
                return new TxtRecordEntry(text, candidate, candidate && isValid(text));
            })
            .ToArray();
        var problem = lookup.Status switch
        {
            DnsLookupStatus.TemporaryFailure => lookup.Error ?? "dns-error",
            DnsLookupStatus.NotFound => problemPrefix + "-record-not-found",
            _ when selected => null,
            _ when entries.Count(e => e.IsCandidate) > 1 => problemPrefix + "-record-multiple",

            // As the resolver codes it: TXT records exist but none of them is one valid record of this kind.
            _ => problemPrefix + "-record-invalid",
        };
        return (entries, problem);
    }

}
