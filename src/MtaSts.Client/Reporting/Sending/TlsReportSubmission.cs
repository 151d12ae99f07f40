namespace MtaSts;

/// <summary>
/// A TLS report ready to be delivered to one <c>rua</c> destination: the report, its gzipped JSON and file name
/// (RFC 8460 §5.1, §5.2) and the destination. Immutable; the same submission is passed again on each retry.
/// </summary>
public sealed class TlsReportSubmission
{
    internal TlsReportSubmission(TlsReport report, string policyDomain, string submitterDomain, Uri destination, string? recipientAddress, string fileName, ReadOnlyMemory<byte> gzipContent)
    {
        Report = report;
        PolicyDomain = policyDomain;
        SubmitterDomain = submitterDomain;
        Destination = destination;
        RecipientAddress = recipientAddress;
        FileName = fileName;
        GzipContent = gzipContent;
    }

    /// <summary>Gets the report.</summary>
    public TlsReport Report { get; }

    /// <summary>Gets the policy domain the report is about (A-labels): <c>TLS-Report-Domain</c>.</summary>
    public string PolicyDomain { get; }

    /// <summary>Gets the submitter domain (A-labels), the domain of the report's <c>contact-info</c>: <c>TLS-Report-Submitter</c>.</summary>
    public string SubmitterDomain { get; }

    /// <summary>Gets the <c>rua</c> URI (<c>mailto:</c> or <c>https:</c>).</summary>
    public Uri Destination { get; }

    /// <summary>Gets the e-mail address of a <c>mailto:</c> destination, percent-decoded; <see langword="null"/> for <c>https:</c>.</summary>
    public string? RecipientAddress { get; }

    /// <summary>Gets the RFC 8460 §5.1 file name: <c>sender!policy-domain!begin!end!unique-id.json.gz</c>.</summary>
    public string FileName { get; }

    /// <summary>Gets the report's JSON compressed with gzip (RFC 8460 §5.2): <c>application/tlsrpt+gzip</c>.</summary>
    public ReadOnlyMemory<byte> GzipContent { get; }
}
