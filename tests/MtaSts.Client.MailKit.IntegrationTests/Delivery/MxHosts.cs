namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// The MX host names that <see cref="DeliveryEnvironment"/> serves, all in the zone <see cref="Zone"/>: each has its own
/// loopback address (an <see cref="MxHostForwarder"/>) in front of the shared Postfix, directly or through an attacker
/// proxy. Policy domains of the tests point their MX records at these names.
/// </summary>
public static class MxHosts
{
    /// <summary>The zone that holds the hosts' A records.</summary>
    public const string Zone = "hosts.mtasts.test";

    /// <summary>Postfix with a valid certificate for this name (chosen by SNI; also Postfix's default certificate).</summary>
    public const string Valid = "valid." + Zone;

    /// <summary>Postfix with a valid certificate for this name: a second good MX host.</summary>
    public const string Spare = "spare." + Zone;

    /// <summary>An address where nothing listens.</summary>
    public const string Down = "down." + Zone;

    /// <summary>A STARTTLS-stripping proxy in front of Postfix.</summary>
    public const string Stripped = "stripped." + Zone;

    /// <summary>A TLS-intercepting proxy presenting a CA-issued certificate for <see cref="ElsewhereName"/> only.</summary>
    public const string WrongName = "wrong-name." + Zone;

    /// <summary>A TLS-intercepting proxy presenting a CA-issued certificate for this name that expired yesterday.</summary>
    public const string Expired = "expired." + Zone;

    /// <summary>A TLS-intercepting proxy presenting a self-signed certificate for this name.</summary>
    public const string SelfSigned = "self-signed." + Zone;

    /// <summary>A TLS-intercepting proxy presenting a CA-issued certificate with CN = this name and no subjectAltName.</summary>
    public const string CommonNameOnly = "cn-only." + Zone;

    /// <summary>A TLS-intercepting proxy presenting a CA-issued certificate for this name, revoked in the CA's CRL.</summary>
    public const string Revoked = "revoked." + Zone;

    /// <summary>A TLS-intercepting proxy presenting a valid CA-issued certificate for this name; it records the SNI.</summary>
    public const string Sni = "sni." + Zone;

    /// <summary>Postfix presenting (by SNI) a CA-issued certificate for this name that expired yesterday.</summary>
    public const string PostfixExpired = "pf-expired." + Zone;

    /// <summary>Postfix presenting (by SNI) a self-signed certificate for this name.</summary>
    public const string PostfixSelfSigned = "pf-self-signed." + Zone;

    /// <summary>Postfix presenting (by SNI) a CA-issued certificate for <c>*.hosts.mtasts.test</c> only: one label too few (K.72).</summary>
    public const string TwoLabelsDeep = "a.b." + Zone;

    /// <summary>Postfix presenting (by SNI) a CA-issued certificate with CN = this name and SANs naming only other hosts (K.73).</summary>
    public const string CommonNameWithOtherSans = "cn-other-sans." + Zone;

    /// <summary>A second Postfix with a valid certificate for this name that offers TLS 1.0 and 1.1 only (K.77).</summary>
    public const string LegacyTls = "legacy-tls." + Zone;

    /// <summary>A name that no MX record uses; policies list it to leave the real MX hosts unlisted.</summary>
    public const string Unlisted = "unlisted." + Zone;

    /// <summary>A name outside the test zones, for certificates that name somebody else.</summary>
    public const string ElsewhereName = "mail.elsewhere.test";
}
