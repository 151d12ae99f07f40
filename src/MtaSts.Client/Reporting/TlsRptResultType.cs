namespace MtaSts;

/// <summary>The TLS-RPT <c>result-type</c> values (RFC 8460 §4.3, registry in §6.6).</summary>
public enum TlsRptResultType
{
    /// <summary><c>starttls-not-supported</c>: the MX did not offer STARTTLS.</summary>
    StartTlsNotSupported,

    /// <summary><c>certificate-host-mismatch</c>: no SAN dNSName of the certificate matches the host.</summary>
    CertificateHostMismatch,

    /// <summary><c>certificate-expired</c>: the certificate has expired.</summary>
    CertificateExpired,

    /// <summary><c>certificate-not-trusted</c>: the chain does not lead to a trusted root, or a certificate in it is revoked or not yet valid.</summary>
    CertificateNotTrusted,

    /// <summary><c>validation-failure</c>: any other failure; the reason code says which.</summary>
    ValidationFailure,

    /// <summary><c>tlsa-invalid</c>: the TLSA records were invalid (DANE).</summary>
    TlsaInvalid,

    /// <summary><c>dnssec-invalid</c>: DNSSEC validation failed (DANE).</summary>
    DnssecInvalid,

    /// <summary><c>dane-required</c>: DANE was required by local configuration and no usable TLSA record was found.</summary>
    DaneRequired,

    /// <summary><c>sts-policy-fetch-error</c>: the MTA-STS policy could not be fetched (DNS, network, HTTP status, size, time).</summary>
    StsPolicyFetchError,

    /// <summary><c>sts-policy-invalid</c>: the fetched MTA-STS policy, or its media type, is invalid.</summary>
    StsPolicyInvalid,

    /// <summary><c>sts-webpki-invalid</c>: the policy host's certificate failed validation.</summary>
    StsWebPkiInvalid,
}
