namespace MtaSts.MailKit;

/// <summary>What happened when delivery was tried at one MX host.</summary>
public enum MxAttemptOutcome
{
    /// <summary>The host accepted the message.</summary>
    Delivered,

    /// <summary>Not tried: the host matches no <c>mx</c> pattern of an enforced policy (RFC 8461 §4.1).</summary>
    NotInPolicy,

    /// <summary>The host's name or addresses could not be looked up, or no TCP connection could be made.</summary>
    Unreachable,

    /// <summary>The host did not offer STARTTLS, which the enforced policy requires.</summary>
    StartTlsNotSupported,

    /// <summary>The host's certificate failed validation under the enforced policy.</summary>
    CertificateRejected,

    /// <summary>The TLS handshake failed (protocol version, cipher, alert).</summary>
    TlsFailed,

    /// <summary>The host refused the message temporarily (4xx) or the session broke.</summary>
    Deferred,

    /// <summary>The host refused the message permanently (5xx).</summary>
    Rejected,

    /// <summary>
    /// Not tried: the host's address records are DNSSEC-secure but its TLSA lookup failed (SERVFAIL, bogus, timeout).
    /// A temporary failure, never a fall-back to MTA-STS or plaintext (RFC 7672 §2.1.1).
    /// </summary>
    DaneIndeterminate,

    /// <summary>Not tried: DANE is required for the domain and the host has no DNSSEC-secure usable TLSA records (RFC 7672 §6).</summary>
    DaneRequired,
}
