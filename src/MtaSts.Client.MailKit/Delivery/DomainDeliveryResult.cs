using System.Security.Authentication;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>The result of delivering a message to the recipients of one domain. Immutable.</summary>
public sealed class DomainDeliveryResult
{
    internal DomainDeliveryResult(string domain, IReadOnlyList<RecipientDeliveryResult> recipientResults, PolicyResolution? policy, IReadOnlyList<MxAttempt> attempts, string? detail)
    {
        Domain = domain;
        RecipientResults = recipientResults;
        Recipients = [.. recipientResults.Select(r => r.Recipient)];
        Status = Summarize(recipientResults);
        Policy = policy;
        Attempts = attempts;
        Detail = detail;
    }

    /// <summary>Gets the recipient domain (A-labels, lower case).</summary>
    public string Domain { get; }

    /// <summary>Gets the recipients at this domain.</summary>
    public IReadOnlyList<MailboxAddress> Recipients { get; }

    /// <summary>Gets how delivery ended for each recipient, in the order of <see cref="Recipients"/>.</summary>
    public IReadOnlyList<RecipientDeliveryResult> RecipientResults { get; }

    /// <summary>
    /// Gets how delivery ended for the domain: <see cref="DeliveryStatus.Delivered"/> when every recipient was delivered,
    /// <see cref="DeliveryStatus.PermanentFailure"/> when every one failed permanently, <see cref="DeliveryStatus.PartiallyDelivered"/>
    /// when some were delivered and others not, and <see cref="DeliveryStatus.TemporaryFailure"/> otherwise (retry those
    /// whose <see cref="RecipientDeliveryResult.Status"/> says so).
    /// </summary>
    public DeliveryStatus Status { get; }

    /// <summary>Gets the MTA-STS policy resolution applied (the one retried under, after a re-check found a new policy), or <see langword="null"/> when none could be resolved (an invalid domain).</summary>
    public PolicyResolution? Policy { get; }

    /// <summary>Gets the policy mode applied.</summary>
    public MtaStsMode PolicyMode => Policy?.Mode ?? MtaStsMode.None;

    /// <summary>Gets every MX host tried, in order.</summary>
    public IReadOnlyList<MxAttempt> Attempts { get; }

    /// <summary>Gets the MX host that accepted the message, when some recipient was delivered.</summary>
    public string? MxHost { get; init; }

    /// <summary>Gets the TLS protocol of the delivering session, or <see langword="null"/> when it was not encrypted.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>Gets the cipher suite of the delivering session, when encrypted.</summary>
    public string? CipherSuite { get; init; }

    /// <summary>Gets the last server reply or the reason for a failure (a code from <see cref="ReasonCodes"/>, with details after <c>": "</c>).</summary>
    public string? Detail { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Domain}: {Status} (mode {PolicyMode}{(MxHost is null ? "" : ", via " + MxHost)}{(TlsProtocol is { } p ? ", " + p : "")}){(Detail is null ? "" : ": " + Detail)}";

    private static DeliveryStatus Summarize(IReadOnlyList<RecipientDeliveryResult> recipients)
    {
        var delivered = recipients.Count(r => r.Status == DeliveryStatus.Delivered);
        if (delivered == recipients.Count)
        {
            return DeliveryStatus.Delivered;
        }

        if (delivered > 0)
        {
            return DeliveryStatus.PartiallyDelivered;
        }

        return recipients.All(r => r.Status == DeliveryStatus.PermanentFailure) ? DeliveryStatus.PermanentFailure : DeliveryStatus.TemporaryFailure;
    }
}
