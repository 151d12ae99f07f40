namespace MtaSts;

/// <summary>The ways TLS reports are delivered (RFC 8460 §5.3, §5.4).</summary>
[Flags]
public enum TlsReportTransports
{
    /// <summary>No delivery: reports are only collected and can be looked at with <see cref="ITlsReportGenerator"/>.</summary>
    None = 0,

    /// <summary>HTTPS POST to <c>https:</c> <c>rua</c> URIs (RFC 8460 §5.4).</summary>
    Https = 1,

    /// <summary>Mail to <c>mailto:</c> <c>rua</c> URIs (RFC 8460 §5.3); needs the MailKit transport (<c>AddTlsReportMail</c>) and a DKIM key.</summary>
    Mail = 2,

    /// <summary>Both.</summary>
    All = Https | Mail,
}
