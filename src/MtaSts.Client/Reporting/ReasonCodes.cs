namespace MtaSts;

/// <summary>
/// Every short code this library writes into a TLS-RPT <c>failure-reason-code</c> (RFC 8460 §4.4), a
/// <see cref="PolicyResolution.FailureReasonCode"/>, a DNS lookup's <c>Error</c> or a delivery result's detail: one
/// catalogue, so that reports, logs and callers can match on them. Codes are lower-case words joined by hyphens and
/// never carry secrets (RFC 8460 §8). A code ending in <c>-</c> is a prefix completed with a value (a status code, an
/// error name); some details add <c>": "</c> and the server's reply or an exception message.
/// </summary>
/// <remarks>The meaning of each code, and where it arises, is listed in <c>docs/failure-model.md</c>.</remarks>
public static class ReasonCodes
{
    // --- DNS (any lookup) ---------------------------------------------------------------------------------------

    /// <summary>The lookup did not finish within its budget (<see cref="MtaStsOptions.DiscoveryTimeout"/>).</summary>
    public const string DnsTimeout = "dns-timeout";

    /// <summary>The name server could not be reached, or the connection failed.</summary>
    public const string DnsTransportError = "dns-transport-error";

    /// <summary>The answer could not be parsed (a compression-pointer loop, a truncated or oversized message).</summary>
    public const string DnsMalformedAnswer = "dns-malformed-answer";

    /// <summary>Prefix: the server answered with an error response code (<c>dns-serverfailure</c>, <c>dns-refused</c>, …).</summary>
    public const string DnsResponseCodePrefix = "dns-";

    /// <summary>A CNAME chain longer than 8 links (Decision 5).</summary>
    public const string CnameChainTooLong = "cname-chain-too-long";

    /// <summary>A CNAME chain that loops (Decision 5).</summary>
    public const string CnameLoop = "cname-loop";

    // --- Policy discovery and fetch (PolicyResolution.FailureReasonCode) ----------------------------------------

    /// <summary>No <c>_mta-sts</c> TXT record (NXDOMAIN or NODATA).</summary>
    public const string TxtRecordNotFound = "txt-record-not-found";

    /// <summary>More than one <c>_mta-sts</c> TXT record starts with <c>v=STSv1</c> (Decision 2).</summary>
    public const string TxtRecordMultiple = "txt-record-multiple";

    /// <summary>The <c>_mta-sts</c> TXT record does not follow the RFC 8461 §3.1 grammar (Decision 3).</summary>
    public const string TxtRecordInvalid = "txt-record-invalid";

    /// <summary>No fetch was made: the same domain and id failed less than <see cref="MtaStsOptions.FetchBackoff"/> ago (Decision 22).</summary>
    public const string FetchBackoff = "fetch-backoff";

    /// <summary>Prefix: the policy host answered with an HTTP status other than 200 (<c>http-status-404</c>).</summary>
    public const string HttpStatusPrefix = "http-status-";

    /// <summary>The policy was served with a media type other than <c>text/plain</c> (Decision 19).</summary>
    public const string ContentTypeNotTextPlain = "content-type-not-text-plain";

    /// <summary>The policy body is larger than <see cref="MtaStsOptions.MaxPolicyBodySize"/>.</summary>
    public const string PolicyTooLarge = "policy-too-large";

    /// <summary>Prefix: the policy text breaks the RFC 8461 §3.2 grammar; the line and rule follow.</summary>
    public const string PolicySyntaxPrefix = "policy-syntax";

    /// <summary>The fetch did not finish within <see cref="MtaStsOptions.FetchTimeout"/>.</summary>
    public const string FetchTimeout = "timeout";

    /// <summary>The policy host name could not be resolved for now.</summary>
    public const string PolicyHostDnsFailure = "policy-host-dns-failure";

    /// <summary>The policy host resolves to an address the SSRF guard refuses (Decision 21).</summary>
    public const string AddressRefused = "address-refused";

    // --- SMTP sessions (TLS-RPT failure-reason-code of a session) ------------------------------------------------

    /// <summary>The MX host matches no <c>mx</c> pattern of the policy (Decision 30; result type <c>validation-failure</c>).</summary>
    public const string MxNotInPolicy = "mx-not-in-policy";

    /// <summary>The server did not offer STARTTLS (result type <c>starttls-not-supported</c>).</summary>
    public const string StartTlsNotSupported = "starttls-not-supported";

    /// <summary>Prefix: the server offered STARTTLS and refused it with a 4xx or 5xx reply (result type <c>starttls-not-supported</c>); the code follows.</summary>
    public const string StartTlsRefusedPrefix = "starttls-refused-";

    /// <summary>Prefix: the TLS handshake failed (protocol version, cipher, alert); the error follows (result type <c>validation-failure</c>).</summary>
    public const string TlsHandshakeFailedPrefix = "tls-handshake-failed";

    /// <summary>The certificate has expired.</summary>
    public const string CertificateExpired = "certificate-expired";

    /// <summary>The certificate is not valid yet.</summary>
    public const string CertificateNotYetValid = "certificate-not-yet-valid";

    /// <summary>The certificate has been revoked.</summary>
    public const string CertificateRevoked = "certificate-revoked";

    /// <summary>The chain does not end at a trusted root.</summary>
    public const string UntrustedRoot = "untrusted-root";

    /// <summary>The server presented no certificate.</summary>
    public const string NoCertificate = "no-certificate";

    /// <summary>No SAN dNSName of the certificate matches the host (no CN fallback; Decision 20, checklist F.4).</summary>
    public const string NoMatchingSanDnsName = "no-matching-san-dns-name";

    // --- DANE (RFC 7672; result types tlsa-invalid, dnssec-invalid, dane-required) ---------------------------------

    /// <summary>No usable TLSA record of the MX host matches the certificate or its chain (result type <c>tlsa-invalid</c>).</summary>
    public const string TlsaNoMatch = "tlsa-no-match";

    /// <summary>A DANE-TA(2) record matched a certificate of the chain, but the leaf does not verify up to it (result type <c>tlsa-invalid</c>).</summary>
    public const string DaneTaChainInvalid = "dane-ta-chain-invalid";

    /// <summary>The MX host's TLSA records are DNSSEC-secure but none is usable (PKIX-TA, PKIX-EE, unknown parameters): TLS without DANE authentication (result type <c>tlsa-invalid</c>).</summary>
    public const string AllUnusableRecords = "all-unusable-records";

    /// <summary>Prefix: the TLSA lookup of an MX host with secure addresses failed (SERVFAIL or bogus, timeout); the DNS code follows (result type <c>dnssec-invalid</c>).</summary>
    public const string TlsaLookupFailed = "tlsa-lookup-failed";

    /// <summary>DANE is required for the domain (<c>DaneRequiredDomains</c>) and the MX host has no usable secure TLSA records (result type <c>dane-required</c>).</summary>
    public const string NoSecureTlsaRecords = "no-secure-tlsa-records";

    // --- Delivery (DomainDeliveryResult / RecipientDeliveryResult detail) ---------------------------------------

    /// <summary>The policy could not be resolved for now and the resolver is set to defer (<see cref="MtaStsOptions.DeferOnTemporaryFailure"/>): no connection was made.</summary>
    public const string PolicyTemporaryFailure = "policy-temporary-failure";

    /// <summary>The recipient domain is not a domain name (an address literal, an IP address, a malformed name).</summary>
    public const string NotADomain = "not-a-domain";

    /// <summary>The domain published a null MX (RFC 7505): it accepts no mail.</summary>
    public const string NullMx = "null-mx";

    /// <summary>The recipient domain does not exist (NXDOMAIN).</summary>
    public const string DomainDoesNotExist = "domain-does-not-exist";

    /// <summary>A DNS answer (NXDOMAIN or a null MX) contradicts the valid policy held for the domain: not believed, the delivery is deferred.</summary>
    public const string DnsContradictsPolicy = "dns-contradicts-policy";

    /// <summary>Prefix: the MX lookup failed temporarily; the DNS code follows.</summary>
    public const string MxLookupFailed = "mx-lookup-failed";

    /// <summary>The MX host has no address.</summary>
    public const string NoAddress = "no-address";

    /// <summary>Prefix: the MX host's address lookup failed temporarily; the DNS code follows.</summary>
    public const string AddressLookupFailed = "address-lookup-failed";

    /// <summary>Prefix: the TCP connection was refused or failed; the socket error follows.</summary>
    public const string ConnectFailed = "connect-failed";

    /// <summary>The TCP connection did not complete within <c>ConnectTimeout</c>.</summary>
    public const string ConnectTimeout = "connect-timeout";

    /// <summary>The server sent nothing for <c>CommandTimeout</c> while a reply was awaited.</summary>
    public const string CommandTimeout = "command-timeout";

    /// <summary>The SMTP session did not finish within <c>SessionTimeout</c> (a slow-drip server).</summary>
    public const string SessionTimeout = "session-timeout";

    /// <summary>The delivery to the domain did not finish within <c>DomainTimeout</c>.</summary>
    public const string DomainTimeout = "domain-timeout";

    /// <summary>A reply before DATA was longer than <c>MaxReplyBytes</c> (endless continuation lines).</summary>
    public const string ReplyTooLong = "reply-too-long";

    /// <summary>Prefix: the server's greeting was not 220; the reply follows.</summary>
    public const string GreetingRefused = "greeting-refused";

    /// <summary>Prefix: the server answered 530 (authentication or TLS required) to MAIL or RCPT; the reply follows.</summary>
    public const string AuthenticationRequired = "authentication-required";

    /// <summary>Prefix: the session broke (the connection closed, a protocol error, garbage after TLS); the error follows.</summary>
    public const string SessionError = "session-error";

    /// <summary>Every MX host was tried without success, or the MX list was empty.</summary>
    public const string NoMx = "no-mx";
}
