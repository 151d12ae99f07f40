using System.Globalization;
using MimeKit;
using MimeKit.Cryptography;
using MimeKit.Utils;
using Org.BouncyCastle.Crypto;

namespace MtaSts.MailKit;

/// <summary>
/// Builds the mail of a TLS report (RFC 8460 §5.3): <c>multipart/report; report-type="tlsrpt"</c> with a short text part
/// and the gzipped report as an <c>application/tlsrpt+gzip</c> attachment named per §5.1; the <c>TLS-Report-Domain</c>,
/// <c>TLS-Report-Submitter</c> and §5.3 subject; <c>TLS-Required: No</c> (RFC 8689); DKIM-signed with relaxed/relaxed
/// canonicalization, no <c>l=</c>, over those headers.
/// </summary>
internal sealed class TlsReportMessageBuilder
{
    /// <summary>The headers the DKIM signature covers (RFC 8460 §5.3: the two TLS-Report headers SHOULD be).</summary>
    internal static readonly string[] SignedHeaders =
    [
        "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
        "TLS-Report-Domain", "TLS-Report-Submitter", "TLS-Required", "Auto-Submitted",
    ];

    private readonly TlsRptOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly AsymmetricKeyParameter _key;

    public TlsReportMessageBuilder(TlsRptOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
        _key = LoadKey(options.DkimPrivateKeyPem!);
    }

    /// <summary>The reports' sender: the organisation at the <c>contact-info</c> address.</summary>
    public MailboxAddress Sender => new(_options.OrganizationName, _options.ContactInfo!);

    /// <summary>Reads a PEM private key as MimeKit's DKIM signer does.</summary>
    /// <exception cref="FormatException">The text is not a PEM private key MimeKit can sign with.</exception>
    public static AsymmetricKeyParameter LoadKey(string pem)
    {
        try
        {
            using var stream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(pem));
            return new TimeProviderDkimSigner(stream, "key.invalid", "key", TimeProvider.System).Key;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or InvalidCastException or NotSupportedException or Org.BouncyCastle.Security.SecurityUtilityException)
        {
            throw new FormatException("Not a PEM private key: " + ex.Message, ex);
        }
    }

    public MimeMessage Build(TlsReportSubmission submission, MailboxAddress recipient)
    {
        var report = submission.Report;
        var message = new MimeMessage();
        message.From.Add(Sender);
        message.To.Add(recipient);
        message.Date = _timeProvider.GetUtcNow();
        message.MessageId = MimeUtils.GenerateMessageId(submission.SubmitterDomain);

        // RFC 8460 §5.3: tlsrpt-subject = "Report" "Domain:" domain "Submitter:" domain "Report-ID:" "<" id-left "@" id-right ">".
        message.Subject = $"Report Domain: {submission.PolicyDomain} Submitter: {submission.SubmitterDomain} Report-ID: <{report.ReportId}>";

        // RFC 8460 §5.3: "These message header fields MUST be included".
        message.Headers.Add("TLS-Report-Domain", submission.PolicyDomain);
        message.Headers.Add("TLS-Report-Submitter", submission.SubmitterDomain);

        // RFC 8689 §5: the sender asks that the message be delivered even without TLS (RFC 8460 §3: reports despite TLS failures).
        message.Headers.Add("TLS-Required", "No");
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var text = new TextPart("plain")
        {
            Text = string.Create(
                CultureInfo.InvariantCulture,
                $"This is an aggregate TLS report (RFC 8460) from {submission.SubmitterDomain} about mail to {submission.PolicyDomain}\r\n"
                + $"for {report.StartDateTime:yyyy-MM-dd} (UTC). The report is attached as {submission.FileName}.\r\n"),
            ContentTransferEncoding = ContentEncoding.SevenBit,
        };
        text.ContentType.Charset = "us-ascii";

        var attachment = new MimePart("application", "tlsrpt+gzip")
        {
            Content = new MimeContent(new MemoryStream(submission.GzipContent.ToArray(), writable: false)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = submission.FileName,
        };

        message.Body = new MultipartReport("tlsrpt") { text, attachment };

        // RFC 8460 §3: "Reports sent via SMTP MUST contain a valid DKIM signature by the reporting domain" and
        // "DKIM signatures MUST NOT use the "l=" attribute" (MimeKit never writes l=).
        var domain = _options.DkimDomain is { } configured
            ? new System.Globalization.IdnMapping().GetAscii(configured.TrimEnd('.')).ToLowerInvariant()
            : submission.SubmitterDomain;
        var signer = new TimeProviderDkimSigner(_key, domain, _options.DkimSelector!, _timeProvider)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        message.Prepare(EncodingConstraint.SevenBit);
        signer.Sign(message, SignedHeaders);
        return message;
    }
}
