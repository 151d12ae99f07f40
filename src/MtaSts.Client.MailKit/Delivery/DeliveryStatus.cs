namespace MtaSts.MailKit;

/// <summary>How delivery to one recipient domain ended.</summary>
public enum DeliveryStatus
{
    /// <summary>An MX host accepted the message.</summary>
    Delivered,

    /// <summary>No MX host could take the message now (network, 4xx, or refused under <c>enforce</c>); try again later.</summary>
    TemporaryFailure,

    /// <summary>The message cannot be delivered: a 5xx reply, a null MX (RFC 7505), or a domain that does not exist.</summary>
    PermanentFailure,
}
