using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>
/// What one policy fetch saw on the wire, collected only when a caller asks for it (the inspector): the URL, the HTTP
/// status, media type and size, the body, and the policy host's certificate with the verdict the fetcher's own check
/// gave it. With retries, it describes the last attempt.
/// </summary>
internal sealed class PolicyFetchDetails
{
    public Uri? Url { get; set; }

    public int? StatusCode { get; set; }

    public string? ContentType { get; set; }

    public long? ContentLength { get; set; }

    public int? BodyLength { get; set; }

    /// <summary>Gets or sets the body as received, when it was read in full (at most the size cap).</summary>
    public byte[]? Body { get; set; }

    public X509Certificate2? Certificate { get; set; }

    public X509Certificate2Collection? PresentedChain { get; set; }

    public CertificateCheckResult? CertificateResult { get; set; }

    /// <summary>Forgets what an earlier attempt saw.</summary>
    public void Reset()
    {
        Url = null;
        StatusCode = null;
        ContentType = null;
        ContentLength = null;
        BodyLength = null;
        Body = null;
        Certificate = null;
        PresentedChain = null;
        CertificateResult = null;
    }
}
