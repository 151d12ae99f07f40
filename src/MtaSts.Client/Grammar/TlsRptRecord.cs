using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// The SMTP TLS Reporting TXT record found at <c>_smtp._tls.&lt;policy domain&gt;</c>: where to send
/// TLS-RPT reports about that domain.
/// </summary>
/// <remarks>
/// <para>RFC 8460 §3. Parsing is strict in the same way as <see cref="MtaStsRecord"/>. Every <c>rua</c> field is
/// collected. Only <c>mailto:</c> and <c>https:</c> URIs are kept; others are ignored. A URI that holds a raw
/// <c>!</c> is ignored too: RFC 8460 §3 says <c>,</c>, <c>!</c> and <c>;</c> MUST be percent-encoded, so such a URI
/// (for example DMARC's <c>mailto:a@example.com!10m</c> size suffix) is malformed rather than truncated.</para>
/// <para>A record that leaves no usable URI does not parse: the domain cannot be sent reports.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class TlsRptRecord
{
    /// <summary>The version tag every TLS-RPT TXT record starts with.</summary>
    internal const string Version = "v=TLSRPTv1";

    private TlsRptRecord(ReadOnlyCollection<Uri> reportUris, IReadOnlyList<string> ignoredUris, IReadOnlyList<KeyValuePair<string, string>> extensions)
    {
        ReportUris = reportUris;
        IgnoredUris = ignoredUris;
        Extensions = extensions;
        MailtoAddresses = reportUris.Where(u => u.Scheme == Uri.UriSchemeMailto).Select(GetMailtoAddress).ToList().AsReadOnly();
        HttpsUris = reportUris.Where(u => u.Scheme == Uri.UriSchemeHttps).ToList().AsReadOnly();
    }

    /// <summary>Gets every usable report URI (<c>mailto:</c> or <c>https:</c>), in the order received. Never empty.</summary>
    public IReadOnlyList<Uri> ReportUris { get; }

    /// <summary>Gets the e-mail addresses of the <c>mailto:</c> URIs, percent-decoded (<c>mailto:a%21b@example.com</c> gives <c>a!b@example.com</c>).</summary>
    public IReadOnlyList<string> MailtoAddresses { get; }

    /// <summary>Gets the <c>https:</c> URIs that reports are POSTed to (RFC 8460 §5.4).</summary>
    public IReadOnlyList<Uri> HttpsUris { get; }

    /// <summary>
    /// Gets the text of each <c>rua</c> URI that was ignored, in the order received: a scheme other than <c>mailto:</c>
    /// or <c>https:</c>, a raw <c>!</c>, a <c>mailto:</c> without a usable address, an <c>https:</c> without a host.
    /// </summary>
    /// <remarks>A sender logs these; it never sends reports to them (RFC 8460 §3).</remarks>
    public IReadOnlyList<string> IgnoredUris { get; }

    /// <summary>Gets the fields other than <c>v</c> and <c>rua</c>, as name/value pairs in the order received.</summary>
    /// <remarks>RFC 8460 §3: unknown fields are ignored; they are kept here for diagnostics only.</remarks>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <summary>Parses the text of one TXT resource record (its character-strings already joined with no separator).</summary>
    /// <param name="text">The record text, for example <c>v=TLSRPTv1; rua=mailto:tlsrpt@example.com</c>.</param>
    /// <param name="record">The record, when <paramref name="text"/> is valid and names at least one usable URI.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> matches the RFC 8460 §3 grammar and has a usable <c>rua</c>; never throws for bad input.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParse(string text, [NotNullWhen(true)] out TlsRptRecord? record)
    {
        ArgumentNullException.ThrowIfNull(text);
        record = null;
        if (!TxtFieldReader.IsCandidate(text, Version))
        {
            return false;
        }

        var seenRua = false;
        List<Uri> uris = [];
        List<string>? ignored = null;
        List<KeyValuePair<string, string>>? extensions = null;
        var reader = new TxtFieldReader(text, Version.Length);
        while (reader.MoveNext(out var name, out var value))
        {
            if (name.SequenceEqual("rua"))
            {
                // tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
                seenRua = true;
                if (!TryAddUris(value, uris, ref ignored))
                {
                    return false;
                }

                continue;
            }

            if (!Abnf.IsExtensionName(name) || !Abnf.IsTxtExtensionValue(value))
            {
                return false;
            }

            (extensions ??= []).Add(new(name.ToString(), value.ToString()));
        }

        if (reader.IsInvalid || !seenRua || uris.Count == 0)
        {
            return false;
        }

        record = new TlsRptRecord(
            uris.AsReadOnly(),
            ignored is null ? ReadOnlyCollection<string>.Empty : ignored.AsReadOnly(),
            extensions is null ? ReadOnlyCollection<KeyValuePair<string, string>>.Empty : extensions.AsReadOnly());
        return true;
    }

    /// <summary>Applies the RFC 8460 §3 selection to every TXT record found at <c>_smtp._tls.&lt;domain&gt;</c> and parses the one that is left.</summary>
    /// <param name="records">The text of each resource record, its character-strings joined with no separator.</param>
    /// <param name="record">The record, when exactly one candidate exists and it is valid.</param>
    /// <returns><see langword="true"/> when exactly one record starts with <c>v=TLSRPTv1</c> and it is valid; otherwise the domain does not take reports.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or one of its items is <see langword="null"/>.</exception>
    public static bool TryParseRecordSet(IEnumerable<string> records, [NotNullWhen(true)] out TlsRptRecord? record)
    {
        record = null;

        // RFC 8460 §3: "If the number of resulting records is not one, senders MUST assume the recipient
        // domain does not implement TLSRPT."
        return TxtFieldReader.SelectSingleCandidate(records, Version) is { } candidate && TryParse(candidate, out record);
    }

    /// <summary>Adds the usable URIs of one <c>rua</c> value; returns <see langword="false"/> when the value breaks the grammar.</summary>
    private static bool TryAddUris(ReadOnlySpan<char> value, List<Uri> uris, ref List<string>? ignored)
    {
        foreach (var range in value.Split(','))
        {
            var token = value[range].Trim(" \t");
            if (token.IsEmpty)
            {
                return false;
            }

            foreach (var c in token)
            {
                if (!IsUriChar(c))
                {
                    return false;
                }
            }

            if (TryCreateReportUri(token, out var uri))
            {
                uris.Add(uri);
            }
            else
            {
                (ignored ??= []).Add(token.ToString());
            }
        }

        return true;
    }

    private static bool TryCreateReportUri(ReadOnlySpan<char> token, [NotNullWhen(true)] out Uri? uri)
    {
        uri = null;

        // RFC 8460 §3: ",", "!" and ";" in a URI MUST be percent-encoded; a raw "!" makes the URI malformed.
        if (token.Contains('!') || !Uri.TryCreate(token.ToString(), UriKind.Absolute, out var parsed))
        {
            return false;
        }

        if (parsed.Scheme == Uri.UriSchemeHttps)
        {
            uri = parsed.Host.Length > 0 ? parsed : null;
        }
        else if (parsed.Scheme == Uri.UriSchemeMailto)
        {
            var address = GetMailtoAddress(parsed);
            var at = address.LastIndexOf('@');
            uri = at > 0 && at < address.Length - 1 && address.IndexOf('@') == at ? parsed : null;
        }

        return uri is not null;
    }

    private static string GetMailtoAddress(Uri mailto)
    {
        // RFC 6068: mailto:addr-spec[?hfields]; the address is percent-decoded.
        var original = mailto.OriginalString.AsSpan(Uri.UriSchemeMailto.Length + 1);
        var query = original.IndexOf('?');
        return Uri.UnescapeDataString(query < 0 ? original : original[..query]);
    }

    /// <summary>RFC 3986 URI characters, less "," and ";" which RFC 8460 §3 requires to be percent-encoded.</summary>
    private static bool IsUriChar(char c) =>
        Abnf.IsAlphaNum(c) || c is '-' or '.' or '_' or '~' or ':' or '/' or '?' or '#' or '[' or ']' or '@'
            or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or '=' or '%';
}
