namespace MtaSts;

/// <summary>
/// What DNS says about DANE for one MX host (RFC 7672 §2.1, §2.2): the five outcomes a sender must keep apart, because
/// only the last one may never be mistaken for "no DANE".
/// </summary>
public enum TlsaLookupStatus
{
    /// <summary>
    /// The host's address records and its TLSA RRset are DNSSEC-secure and at least one record is usable (DANE-TA or
    /// DANE-EE): DANE decides, STARTTLS is mandatory and the certificate must match a usable record (RFC 7672 §2.2, §3).
    /// </summary>
    Usable,

    /// <summary>
    /// A secure TLSA RRset whose records are all unusable (PKIX-TA, PKIX-EE, unknown parameters): STARTTLS is still
    /// mandatory, without DANE authentication (RFC 7672 §3.1.3, §2.2); reported as <c>tlsa-invalid</c>.
    /// </summary>
    Unusable,

    /// <summary>The host's zone is signed and DNSSEC proves that there is no TLSA record (secure NXDOMAIN or NODATA): no DANE.</summary>
    NotFound,

    /// <summary>
    /// The host's address records or its TLSA records are not DNSSEC-secure (an unsigned zone), or the answer came from a
    /// resolver whose AD bit is not trusted: no DANE.
    /// </summary>
    Insecure,

    /// <summary>
    /// The TLSA lookup failed for a host whose address records are secure: SERVFAIL (which a validating resolver also gives
    /// for bogus data), a timeout, a malformed answer. The host is unusable for now; never a fall-back to MTA-STS or
    /// plaintext (RFC 7672 §2.1.1); reported as <c>dnssec-invalid</c>.
    /// </summary>
    Indeterminate,
}
