using System.Security.Authentication;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>The result of delivering a message to the recipients of one domain.</summary>
public sealed class DomainDeliveryResult
{
    internal DomainDeliveryResult(string domain, IReadOnlyList<MailboxAddress> recipients, DeliveryStatus status, PolicyResolution? policy, IReadOnlyList<MxAttempt> attempts, string? detail)
    {
        Domain = domain;
        Recipients = recipients;
        Status = status;
        Policy = policy;
        Attempts = attempts;
        Detail = detail;
    }

    /// <summary>Gets the recipient domain (A-labels).</summary>
    public string Domain { get; }

    /// <summary>Gets the recipients at this domain.</summary>
    public IReadOnlyList<MailboxAddress> Recipients { get; }

    /// <summary>Gets how delivery ended.</summary>
    public DeliveryStatus Status { get; }

    /// <summary>Gets the MTA-STS policy resolution applied, or <see langword="null"/> when none could be resolved (an invalid domain).</summary>
    public PolicyResolution? Policy { get; }

    /// <summary>Gets the policy mode applied.</summary>
    public MtaStsMode PolicyMode => Policy?.Mode ?? MtaStsMode.None;

    /// <summary>Gets every MX host tried, in order.</summary>
    public IReadOnlyList<MxAttempt> Attempts { get; }

    /// <summary>Gets the MX host that accepted the message, when delivered.</summary>
    public string? MxHost { get; init; }

    /// <summary>Gets the TLS protocol of the delivering session, or <see langword="null"/> when it was not encrypted.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>Gets the cipher suite of the delivering session, when encrypted.</summary>
    public string? CipherSuite { get; init; }

    /// <summary>Gets the last server reply or the reason for a failure.</summary>
    public string? Detail { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Domain}: {Status} (mode {PolicyMode}{(MxHost is null ? "" : ", via " + MxHost)}{(TlsProtocol is { } p ? ", " + p : "")}){(Detail is null ? "" : ": " + Detail)}";
}
