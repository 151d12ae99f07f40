namespace MtaSts.MailKit;

/// <summary>Settings for <see cref="MtaStsDeliveryAgent"/>.</summary>
public sealed class MtaStsDeliveryOptions
{
    /// <summary>Gets or sets the SMTP port of MX hosts.</summary>
    /// <value>25.</value>
    public int Port { get; set; } = 25;

    /// <summary>Gets or sets the name sent in EHLO; it should be this host's fully qualified domain name.</summary>
    /// <value><see langword="null"/>: the machine's host name.</value>
    public string? HeloName { get; set; }

    /// <summary>Gets or sets how long a TCP connection to one MX address may take.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long one SMTP command may take.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many recipient domains of one message are delivered to at once.</summary>
    /// <value>4.</value>
    public int MaxConcurrency { get; set; } = 4;
}
