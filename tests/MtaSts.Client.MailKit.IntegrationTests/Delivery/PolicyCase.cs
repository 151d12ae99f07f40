namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>What the recipient domain publishes, for the delivery matrix.</summary>
public enum PolicyCase
{
    /// <summary>A policy with <c>mode: enforce</c>.</summary>
    Enforce,

    /// <summary>A policy with <c>mode: testing</c>.</summary>
    Testing,

    /// <summary>A policy with <c>mode: none</c>.</summary>
    None,

    /// <summary>No <c>_mta-sts</c> TXT record at all.</summary>
    NoPolicy,
}
