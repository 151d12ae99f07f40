namespace MtaSts.MailKit;

/// <summary>How delivery to a recipient, or to the recipients of one domain, ended.</summary>
public enum DeliveryStatus
{
    /// <summary>An MX host accepted the message (for every recipient, when said of a domain).</summary>
    Delivered,

    /// <summary>
    /// Not delivered now — network trouble, a 4xx reply, an unauthenticated reply under <c>enforce</c>, a refusal under
    /// <c>enforce</c>, a timeout — but it may succeed later: try again.
    /// </summary>
    TemporaryFailure,

    /// <summary>
    /// Cannot be delivered: a 5xx reply the policy lets us believe, a null MX (RFC 7505), a domain that does not exist, an
    /// address that is not a domain. Never caused by input an attacker could inject under <c>enforce</c>.
    /// </summary>
    PermanentFailure,

    /// <summary>Said of a domain only: some recipients were delivered, the others failed; see <see cref="DomainDeliveryResult.RecipientResults"/>.</summary>
    PartiallyDelivered,
}
