namespace MtaSts;

/// <summary>The <c>policy-type</c> values of a TLS report (RFC 8460 §4.4).</summary>
public static class TlsRptPolicyType
{
    /// <summary><c>sts</c>: an MTA-STS policy applied, or one that could not be fetched or was invalid.</summary>
    public const string Sts = "sts";

    /// <summary><c>tlsa</c>: a DANE TLSA record set applied.</summary>
    public const string Tlsa = "tlsa";

    /// <summary><c>no-policy-found</c>: neither an MTA-STS nor a DANE policy was found.</summary>
    public const string NoPolicyFound = "no-policy-found";
}
