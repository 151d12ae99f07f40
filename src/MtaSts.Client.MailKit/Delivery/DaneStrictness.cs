namespace MtaSts.MailKit;

/// <summary>
/// What an MX host that DANE authenticates must also pass when the domain's MTA-STS policy is <c>enforce</c>
/// (checklist I.6: RFC 8461 §2 settles only that MTA-STS never overrides a failing DANE check).
/// </summary>
public enum DaneStrictness
{
    /// <summary>
    /// Both: the DANE check, and the <c>enforce</c> policy's PKIX check (chain to a trusted root, validity, the MX name).
    /// The letter of RFC 8461 §4.2 for an enforced policy; a domain that pairs DANE-EE with a self-signed certificate and an
    /// <c>enforce</c> policy gets no mail until it fixes one of them.
    /// </summary>
    RequireBoth,

    /// <summary>
    /// A host that passes DANE is not also held to the PKIX check of an <c>enforce</c> policy. The <c>mx</c> pattern check
    /// still applies: an MX host outside the policy is never used under <c>enforce</c> (Decision 34).
    /// </summary>
    DaneSupersedesPkix,
}
