namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>What the recipient domain's MX hosts (or an attacker in front of them) do, for the delivery matrix.</summary>
public enum MxScenario
{
    /// <summary>The MX host offers STARTTLS with a valid certificate for its name.</summary>
    ValidTls,

    /// <summary>An attacker removes STARTTLS from the EHLO reply.</summary>
    StartTlsStripped,

    /// <summary>An attacker terminates TLS with a CA-issued certificate for another name.</summary>
    WrongNameCertificate,

    /// <summary>An attacker terminates TLS with a CA-issued certificate for the MX name that expired yesterday.</summary>
    ExpiredCertificate,

    /// <summary>An attacker terminates TLS with a self-signed certificate for the MX name.</summary>
    SelfSignedCertificate,

    /// <summary>An attacker terminates TLS with a CA-issued certificate that names the MX only in its subject CN (no SAN).</summary>
    CommonNameOnlyCertificate,

    /// <summary>The MX host is fine, but the policy lists another name.</summary>
    MxNotInPolicy,

    /// <summary>The first MX host does not answer (nothing listens); the second one is fine.</summary>
    FirstMxDownSecondFine,

    /// <summary>An attacker terminates TLS with a CA-issued certificate for the MX name that the CA has revoked (CRL).</summary>
    RevokedCertificate,
}
