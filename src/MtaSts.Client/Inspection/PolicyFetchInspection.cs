using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>
/// One policy fetch as the resolver's fetcher made and judged it (RFC 8461 §3.3): the URL, what the policy host answered,
/// its certificate and the verdict on it, and the policy or the TLS-RPT failure a sender would report.
/// </summary>
/// <remarks>
/// The fetch follows every rule of the resolver (no redirects, status 200 only, <c>text/plain</c>, the size cap, the
/// address guard, the certificate checks, retries within the fetch budget); with retries, the details describe the last
/// attempt. Fields the fetch did not reach are <see langword="null"/>.
/// </remarks>
public sealed class PolicyFetchInspection
{
    internal PolicyFetchInspection(Uri url, PolicyFetchResult result, PolicyFetchDetails details, TimeSpan elapsed)
    {
        Url = details.Url ?? url;
        StatusCode = details.StatusCode;
        ContentType = details.ContentType;
        BodyLength = details.BodyLength;
        Body = details.Body is { } body && MtaStsPolicy.TryDecode(body, out var text, out _) ? text : null;
        Certificate = details.Certificate;
        CertificateChain = details.PresentedChain is { } chain ? [.. chain] : [];
        CertificateResult = details.CertificateResult is { } verdict ? CertificateValidationResult.From(verdict) : null;
        Policy = result.Policy;
        FailureResultType = result.ResultType;
        FailureReasonCode = result.ReasonCode;
        Elapsed = elapsed;
    }

    /// <summary>Gets the URL fetched: <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>.</summary>
    public Uri Url { get; }

    /// <summary>Gets the HTTP status code of the response, or <see langword="null"/> when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the <c>Content-Type</c> header of the response, as received, or <see langword="null"/>.</summary>
    public string? ContentType { get; }

    /// <summary>
    /// Gets the number of body bytes read, or <see langword="null"/> when the body was not read (a status other than 200, a
    /// refused media type, a declared length over the cap). Over <see cref="MtaStsOptions.MaxPolicyBodySize"/> means the
    /// body was cut off there.
    /// </summary>
    public int? BodyLength { get; }

    /// <summary>Gets the body read, decoded from UTF-8, or <see langword="null"/> when it was not read in full or is not UTF-8.</summary>
    public string? Body { get; }

    /// <summary>Gets the policy host's certificate, when the TLS handshake reached it.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Gets the chain the TLS stack built from what the server sent (leaf first); empty when no certificate was seen.</summary>
    public IReadOnlyList<X509Certificate2> CertificateChain { get; }

    /// <summary>
    /// Gets the verdict of the fetcher's own certificate check (chain to a trusted root, validity, revocation, SAN-only name
    /// match: RFC 8461 §3.3), or <see langword="null"/> when the handshake did not reach the certificate.
    /// </summary>
    public CertificateValidationResult? CertificateResult { get; }

    /// <summary>Gets the policy, when the fetch succeeded and the body is a valid policy.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>
    /// Gets the TLS-RPT result type a sender reports for this fetch (<see cref="TlsRptResultType.StsPolicyFetchError"/>,
    /// <see cref="TlsRptResultType.StsPolicyInvalid"/> or <see cref="TlsRptResultType.StsWebPkiInvalid"/>, RFC 8460 §4.3.2),
    /// or <see langword="null"/> on success.
    /// </summary>
    public TlsRptResultType? FailureResultType { get; }

    /// <summary>
    /// Gets the reason code of a failure, as the resolver reports it: for example <c>http-status-404</c>,
    /// <c>content-type-not-text-plain</c>, <c>policy-too-large</c>, <c>timeout</c>, <c>untrusted-root</c> or
    /// <c>policy-syntax-line-3: …</c>; <see langword="null"/> on success.
    /// </summary>
    public string? FailureReasonCode { get; }

    /// <summary>Gets how long the fetch took, retries included.</summary>
    public TimeSpan Elapsed { get; }
}
