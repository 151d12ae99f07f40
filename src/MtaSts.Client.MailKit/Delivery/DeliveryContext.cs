using System.Security.Authentication;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>
/// One delivery of a message to the recipients of one domain: what is sent, to whom, under which policy, and how far it
/// got. The policy in force changes only when the re-check before failing finds a newly fetched one (issue-8 rule 1).
/// </summary>
internal sealed class DeliveryContext(MimeMessage message, MailboxAddress sender, PolicyDomainName domain, IReadOnlyList<MailboxAddress> recipients, bool isReportDelivery)
{
    public MimeMessage Message { get; } = message;

    public MailboxAddress Sender { get; } = sender;

    public PolicyDomainName Domain { get; } = domain;

    /// <summary>Gets a value indicating whether the message is a TLS report: RFC 8460 §3 exempts it from MTA-STS.</summary>
    public bool IsReportDelivery { get; } = isReportDelivery;

    public IReadOnlyList<RecipientState> Recipients { get; } = [.. recipients.Select(r => new RecipientState(r))];

    public List<MxAttempt> Attempts { get; } = [];

    /// <summary>Gets or sets the policy resolution in force.</summary>
    public PolicyResolution? Resolution { get; set; }

    /// <summary>Gets the policy whose rules the sessions follow: none for a report delivery (RFC 8460 §3) or without one.</summary>
    public MtaStsPolicy? AppliedPolicy => IsReportDelivery || Resolution?.Policy is not { Mode: not MtaStsMode.None } policy ? null : policy;

    /// <summary>Gets a value indicating whether policy-compliant TLS is required (<c>enforce</c>).</summary>
    public bool IsEnforced => AppliedPolicy?.Mode == MtaStsMode.Enforce;

    public bool HasPending => Recipients.Any(r => r.IsPending);

    public IReadOnlyList<RecipientState> Pending => [.. Recipients.Where(r => r.IsPending)];

    public string? Detail { get; set; }

    public string? DeliveredVia { get; private set; }

    public SslProtocols? TlsProtocol { get; private set; }

    public string? CipherSuite { get; private set; }

    public void Delivered(string mxHost, SslProtocols? protocol, string? cipherSuite) => (DeliveredVia, TlsProtocol, CipherSuite) = (mxHost, protocol, cipherSuite);

    /// <summary>Fails every pending recipient permanently (a null MX, a domain that does not exist).</summary>
    public DomainDeliveryResult FailAll(string detail)
    {
        foreach (var recipient in Pending)
        {
            recipient.Fail(detail);
        }

        Detail = detail;
        return ToResult();
    }

    /// <summary>Defers every pending recipient (no MX could take them now).</summary>
    public DomainDeliveryResult DeferAll(string detail)
    {
        foreach (var recipient in Pending.Where(r => r.Detail is null))
        {
            recipient.Defer(null, detail, null);
        }

        Detail = detail;
        return ToResult();
    }

    public DomainDeliveryResult ToResult() => new(Domain.Value, [.. Recipients.Select(r => r.ToResult())], Resolution, [.. Attempts], Detail)
    {
        MxHost = DeliveredVia,
        TlsProtocol = TlsProtocol,
        CipherSuite = CipherSuite,
    };
}
