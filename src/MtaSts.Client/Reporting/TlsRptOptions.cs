namespace MtaSts;

/// <summary>
/// Settings for TLS reporting (RFC 8460) from the sending side: who reports, when reports go out, how delivery is retried
/// and limited, and the DKIM key that signs mail reports. Validated when the host starts.
/// </summary>
public sealed class TlsRptOptions
{
    /// <summary>Gets or sets the <c>organization-name</c> of every report. Required.</summary>
    /// <value><see langword="null"/>: start-up fails until it is set.</value>
    public string? OrganizationName { get; set; }

    /// <summary>Gets or sets the <c>contact-info</c> address of every report (an RFC 5322 addr-spec); mail reports are sent from it. Required.</summary>
    /// <value><see langword="null"/>: start-up fails until it is set.</value>
    /// <remarks>RFC 8460 §5.3: its domain is the <c>TLS-Report-Submitter</c>.</remarks>
    public string? ContactInfo { get; set; }

    /// <summary>Gets or sets the submitter domain: <c>TLS-Report-Submitter</c>, the subject's <c>Submitter:</c> and the file name's sender.</summary>
    /// <value><see langword="null"/>: the domain of <see cref="ContactInfo"/>. When set it must be that domain (RFC 8460 §5.3 MUST).</value>
    public string? SubmitterDomain { get; set; }

    /// <summary>Gets or sets the transports used for <c>rua</c> URIs; URIs of other schemes are ignored and logged.</summary>
    /// <value><see cref="TlsReportTransports.All"/>: mail needs <c>AddTlsReportMail()</c> (package MtaSts.Client.MailKit) and a DKIM key, or start-up fails.</value>
    public TlsReportTransports Transports { get; set; } = TlsReportTransports.All;

    /// <summary>Gets or sets the window after the UTC day closes within which each report is sent, at a random moment.</summary>
    /// <value>4 hours (RFC 8460 §4.1's example). Less than a day; zero sends at 00:00:00Z.</value>
    public TimeSpan DelayWindow { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Gets or sets a value indicating whether only days with at least one failed session are reported.</summary>
    /// <value><see langword="false"/>: every day with sessions is reported (RFC 8460 §4.2.1: successes are a heartbeat).</value>
    public bool ReportOnlyDaysWithFailures { get; set; }

    /// <summary>Gets or sets how long after its first attempt a failing delivery is retried.</summary>
    /// <value>24 hours (RFC 8460 §5.5).</value>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets the delay before the first retry; each later one doubles (RFC 8460 §5.5), with ±20% jitter.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the longest delay between two attempts.</summary>
    /// <value>4 hours.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// Gets or sets how many reports, at most, go to one destination (a mail domain, or an HTTPS host) in 24 hours; more
    /// are dropped and logged. A hostile domain can point its <c>rua</c> at a victim (RFC 8460 §7).
    /// </summary>
    /// <value>1,000.</value>
    public int MaxReportsPerDestinationPerDay { get; set; } = 1000;

    /// <summary>Gets or sets after how many reports in a row that could not be delivered a destination is suppressed.</summary>
    /// <value>3.</value>
    public int SuppressAfterFailures { get; set; } = 3;

    /// <summary>Gets or sets how long a suppressed destination gets no reports.</summary>
    /// <value>7 days.</value>
    public TimeSpan SuppressionPeriod { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets or sets how often the session counters in memory are written to the report store.</summary>
    /// <value>30 seconds. Counts not yet written are lost if the process dies; a clean stop writes them.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long one HTTPS report delivery may take.</summary>
    /// <value>1 minute.</value>
    public TimeSpan HttpsTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets this reporter's identity: 1–32 letters or digits, in the <c>report-id</c> and as the file name's
    /// <c>unique-id</c> (RFC 8460 §5.1). Each machine of a fleet reports its own sessions under its own id.
    /// </summary>
    /// <value><see langword="null"/>: the machine name, reduced to letters and digits.</value>
    public string? InstanceId { get; set; }

    /// <summary>Gets or sets the DKIM signing domain (<c>d=</c>) of mail reports.</summary>
    /// <value><see langword="null"/>: the submitter domain.</value>
    public string? DkimDomain { get; set; }

    /// <summary>Gets or sets the DKIM selector (<c>s=</c>) of mail reports; required for mail.</summary>
    /// <value><see langword="null"/>.</value>
    /// <remarks>RFC 8460 §3: the key record should say <c>s=tlsrpt</c> (or <c>s=*</c>).</remarks>
    public string? DkimSelector { get; set; }

    /// <summary>Gets or sets the DKIM private key (PEM, RSA) that signs mail reports; required for mail.</summary>
    /// <value><see langword="null"/>.</value>
    /// <remarks>RFC 8460 §3: "Reports sent via SMTP MUST contain a valid DKIM signature by the reporting domain."</remarks>
    public string? DkimPrivateKeyPem { get; set; }

    /// <summary>The submitter domain in normal form (A-labels, lower case): <see cref="SubmitterDomain"/> or the domain of <see cref="ContactInfo"/>.</summary>
    /// <exception cref="ArgumentException">Neither is a domain name (the validator reports this at start).</exception>
    internal string GetSubmitterDomain()
    {
        var domain = SubmitterDomain ?? ContactInfo?[(ContactInfo.LastIndexOf('@') + 1)..] ?? "";
        return PolicyDomainName.Normalize(domain, nameof(SubmitterDomain));
    }

    /// <summary>The <see cref="InstanceId"/>, or the machine name reduced to at most 32 letters and digits (lower case).</summary>
    internal string GetInstanceId()
    {
        if (InstanceId is not null)
        {
            return InstanceId;
        }

        var name = new string([.. Environment.MachineName.Where(char.IsAsciiLetterOrDigit).Take(32)]).ToLowerInvariant();
        return name.Length > 0 ? name : "mtasts";
    }
}
