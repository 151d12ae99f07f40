namespace MtaSts.MailKit;

/// <summary>Settings for <see cref="MtaStsDeliveryAgent"/>. Validated when the agent is created; each message names the option and the bad value.</summary>
public sealed class MtaStsDeliveryOptions
{
    /// <summary>The smallest <see cref="MaxReplyBytes"/> accepted: one full RFC 5321 reply line.</summary>
    public const int MinReplyBytes = 512;

    /// <summary>Gets or sets the SMTP port of MX hosts.</summary>
    /// <value>25.</value>
    public int Port { get; set; } = 25;

    /// <summary>
    /// Gets or sets the name sent in EHLO: this host's fully qualified domain name as other mail servers see it (RFC 5321
    /// §4.1.4). Receivers commonly refuse a short host name.
    /// </summary>
    /// <value>
    /// <see langword="null"/>: the machine's fully qualified name (host name and DNS domain). When the machine has none, the
    /// options fail validation and the name must be set.
    /// </value>
    public string? HeloName { get; set; }

    /// <summary>Gets or sets how long a TCP connection to one MX address may take.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long the server may stay silent (and not take data we send) before the session is abandoned.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets how long one SMTP session may take in all, however busy the server keeps it (a server that sends a byte a
    /// second never trips <see cref="CommandTimeout"/>). The next MX host is tried after it.
    /// </summary>
    /// <value>10 minutes.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long delivery to one recipient domain may take in all, every MX host, session and re-check included.</summary>
    /// <value>30 minutes.</value>
    public TimeSpan DomainTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Gets or sets the most bytes one server reply may take before the message is sent (greeting, EHLO, STARTTLS, MAIL,
    /// RCPT and DATA replies): a server sending endless continuation lines is cut off and the next MX host tried.
    /// </summary>
    /// <value>16,384 bytes; at least <see cref="MinReplyBytes"/>.</value>
    public int MaxReplyBytes { get; set; } = 16384;

    /// <summary>
    /// Gets or sets a value indicating whether DANE (RFC 7672) is used beside MTA-STS: each MX host's TLSA records are looked
    /// up through the DNS client, and a host with DNSSEC-secure usable records must pass DANE authentication — whatever the
    /// MTA-STS policy says (RFC 8461 §2). Only answers from a trusted validating resolver count
    /// (<see cref="MtaStsOptions.TrustedValidatingResolvers"/>); with none, every host is insecure and MTA-STS alone decides.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool Dane { get; set; } = true;

    /// <summary>Gets or sets what a host DANE authenticates must also pass under an <c>enforce</c> policy (checklist I.6).</summary>
    /// <value><see cref="MailKit.DaneStrictness.RequireBoth"/>: DANE and the policy's PKIX check.</value>
    public DaneStrictness DaneStrictness { get; set; } = DaneStrictness.RequireBoth;

    /// <summary>
    /// Gets the recipient domains for which DANE is mandatory (RFC 7672 §6): an MX host without DNSSEC-secure usable TLSA
    /// records is not used (TLS-RPT <c>dane-required</c>). Names in A-labels, compared ignoring case.
    /// </summary>
    /// <value>Empty.</value>
    public ISet<string> DaneRequiredDomains { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how many recipient domains of one message are delivered to at once.</summary>
    /// <value>4.</value>
    public int MaxConcurrency { get; set; } = 4;
}
