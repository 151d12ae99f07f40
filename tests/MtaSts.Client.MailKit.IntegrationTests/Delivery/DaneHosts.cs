using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// The MX hosts of the DANE tests, in the zone Knot signs (<see cref="DnssecEnvironment.SignedZone"/>): each has its own
/// loopback address in front of the shared Postfix (which picks the certificate by SNI) or an attacker proxy, and TLSA
/// records at <c>_&lt;SmtpPort&gt;._tcp.&lt;host&gt;</c> as described. <see cref="DeliveryEnvironment"/> publishes them.
/// </summary>
public static class DaneHosts
{
    /// <summary>A self-signed certificate for this name; TLSA <c>3 1 1</c> of its key (DANE-EE).</summary>
    public const string Ee = "ee." + DnssecEnvironment.SignedZone;

    /// <summary>A certificate from the test CA (WebPKI-valid); TLSA <c>3 0 1</c> of the whole certificate.</summary>
    public const string EeFull = "ee-full." + DnssecEnvironment.SignedZone;

    /// <summary>A certificate from a test intermediate, which Postfix sends in its chain; TLSA <c>2 1 1</c> of the intermediate's key (DANE-TA).</summary>
    public const string Ta = "ta." + DnssecEnvironment.SignedZone;

    /// <summary>A certificate from the test CA; TLSA <c>1 1 1</c> and <c>0 1 1</c> only (PKIX-EE, PKIX-TA: unusable for SMTP).</summary>
    public const string Pkix = "pkix." + DnssecEnvironment.SignedZone;

    /// <summary>A WebPKI-valid certificate from the test CA; TLSA <c>3 1 1</c> of another key: DANE fails where MTA-STS would pass.</summary>
    public const string Mismatch = "mismatch." + DnssecEnvironment.SignedZone;

    /// <summary>A STARTTLS-stripping proxy in front of Postfix; TLSA <c>3 1 1</c> (any usable record).</summary>
    public const string Stripped = "stripped." + DnssecEnvironment.SignedZone;

    /// <summary>A certificate from the test CA and no TLSA record: a secure "no DANE", MTA-STS decides.</summary>
    public const string NoTlsa = "no-tlsa." + DnssecEnvironment.SignedZone;

    /// <summary>A STARTTLS-stripping proxy; the TLSA zone's server never answers: indeterminate.</summary>
    public const string DeadTlsa = DnssecEnvironment.DeadTlsaLabel + "." + DnssecEnvironment.SignedZone;

    /// <summary>A certificate from the test CA; TLSA <c>3 0 1</c> that would match, in a zone signed with a key its parent's DS does not match (bogus).</summary>
    public const string BogusTlsa = DnssecEnvironment.BogusTlsaLabel + "." + DnssecEnvironment.SignedZone;

    /// <summary>The hosts served by Postfix directly (through their own forwarder).</summary>
    public static IReadOnlyList<string> OnPostfix { get; } = [Ee, EeFull, Ta, Pkix, Mismatch, NoTlsa, BogusTlsa];

    /// <summary>The label of <paramref name="host"/> in the signed zone.</summary>
    public static string Label(string host) => host[..^(DnssecEnvironment.SignedZone.Length + 1)];
}
