namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>What <see cref="TestCertificateAuthority.IssueServerCertificate(ServerCertificateOptions)"/> should put in a leaf certificate.</summary>
public sealed class ServerCertificateOptions
{
    /// <summary>dNSName entries of the subjectAltName extension, for example <c>mta-sts.example.test</c> or <c>*.example.test</c>.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    /// <summary>Subject common name; defaults to the first of <see cref="DnsNames"/>.</summary>
    public string? CommonName { get; init; }

    /// <summary>When <see langword="false"/> the certificate has no subjectAltName extension at all (CN only).</summary>
    public bool IncludeSubjectAlternativeName { get; init; } = true;

    /// <summary>When <see langword="false"/> the certificate has no extendedKeyUsage extension.</summary>
    public bool IncludeServerAuthentication { get; init; } = true;

    /// <summary>Start of validity; defaults to one hour ago.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>End of validity; defaults to thirty days from now.</summary>
    public DateTimeOffset? NotAfter { get; init; }
}
