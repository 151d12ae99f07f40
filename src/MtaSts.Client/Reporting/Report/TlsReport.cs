using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Text;

namespace MtaSts;

/// <summary>
/// An aggregate TLS report (RFC 8460 §4): who reports, for which period, and per policy applied the successful and
/// failed sessions. Produced by the TLS-RPT reporter (<see cref="ITlsReportGenerator"/>) or read from JSON. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Reading is lenient, so that reports of other implementations can be read: <c>mx-host</c> and <c>policy-string</c>
/// may be a single string, <c>contact-info</c> may be <c>null</c>, date-times may lack a time zone (read as UTC),
/// empty strings count as absent, counts may be strings of digits, <c>failure-error-code</c> is read as
/// <c>failure-reason-code</c>, and unknown members, result types and policy types are kept or ignored. A report is
/// refused only when it is not JSON, lacks a valid <c>date-range</c>, has a policy without <c>policy-type</c> or a
/// failure detail without <c>result-type</c>, or a negative count.
/// </para>
/// <para>
/// Writing is strict (RFC 8460 §4, §4.4): UTF-8 I-JSON (RFC 7493), <c>policies</c> always an array, <c>mx-host</c> and
/// <c>policy-string</c> always arrays, both summary counts always present (zero included), date-times in
/// <c>YYYY-MM-DDTHH:MM:SSZ</c> form, and optional fields omitted rather than written as <c>""</c> or <c>null</c>.
/// </para>
/// </remarks>
public sealed class TlsReport
{
    internal TlsReport(
        string? organizationName,
        DateTimeOffset startDateTime,
        DateTimeOffset endDateTime,
        string? contactInfo,
        string? reportId,
        IReadOnlyList<TlsReportPolicy> policies)
    {
        OrganizationName = organizationName;
        StartDateTime = startDateTime;
        EndDateTime = endDateTime;
        ContactInfo = contactInfo;
        ReportId = reportId;
        Policies = policies;
    }

    /// <summary>Gets the <c>organization-name</c>: the organisation responsible for the report.</summary>
    public string? OrganizationName { get; }

    /// <summary>Gets the <c>date-range.start-datetime</c>, in UTC. For this package's reports: the day at 00:00:00Z.</summary>
    public DateTimeOffset StartDateTime { get; }

    /// <summary>Gets the <c>date-range.end-datetime</c>, in UTC. For this package's reports: the next day at 00:00:00Z, so that the range is the whole UTC day (Decision 32).</summary>
    public DateTimeOffset EndDateTime { get; }

    /// <summary>Gets the <c>contact-info</c> address. Always set in this package's reports; some implementations send <c>null</c>.</summary>
    public string? ContactInfo { get; }

    /// <summary>Gets the <c>report-id</c>. This package writes <c>id-left@id-right</c> so that it can appear in the mail subject (RFC 8460 §5.3).</summary>
    public string? ReportId { get; }

    /// <summary>Gets the <c>policies</c>: one entry per policy applied.</summary>
    public IReadOnlyList<TlsReportPolicy> Policies { get; }

    /// <summary>Reads a report from its JSON text (UTF-8, with or without a byte order mark).</summary>
    /// <param name="utf8Json">The JSON report (RFC 8460 §4.4), not compressed.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FormatException">The text is not JSON or not a report (see the remarks of <see cref="TlsReport"/>); the message says why.</exception>
    public static TlsReport Parse(ReadOnlySpan<byte> utf8Json) =>
        TlsReportJson.Read(utf8Json, out var error) ?? throw new FormatException("Not a TLS report: " + error);

    /// <summary>Reads a report from its JSON text; never throws for bad input.</summary>
    /// <param name="utf8Json">The JSON report (RFC 8460 §4.4), not compressed.</param>
    /// <param name="report">The report, when the text is one.</param>
    /// <returns><see langword="true"/> when <paramref name="utf8Json"/> is a report.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out TlsReport? report)
    {
        report = TlsReportJson.Read(utf8Json, out _);
        return report is not null;
    }

    /// <summary>Writes the report as RFC 8460 §4.4 JSON (UTF-8, no indentation).</summary>
    /// <returns>The JSON text.</returns>
    public byte[] ToUtf8Json() => TlsReportJson.Write(this);

    /// <summary>Returns the report as RFC 8460 §4.4 JSON text.</summary>
    /// <returns>The JSON text.</returns>
    public override string ToString() => Encoding.UTF8.GetString(ToUtf8Json());

    /// <summary>The JSON compressed with gzip (RFC 8460 §5.2), as both transports send it.</summary>
    internal byte[] ToGzip()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(ToUtf8Json());
        }

        return buffer.ToArray();
    }
}
