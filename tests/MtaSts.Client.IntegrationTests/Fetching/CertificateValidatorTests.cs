using System.Security.Cryptography.X509Certificates;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// The policy host's certificate (RFC 8461 §3.3, checklist B.2, K.31–K.33, Decisions 20 and 31), presented by the real
/// Kestrel server for SNI <c>mta-sts.&lt;domain&gt;</c>. Every defect is <c>sts-webpki-invalid</c> with its own reason
/// code, and without a cached policy nothing applies.
/// </summary>
/// <remarks>
/// Revocation is checked online only against authorities created by the test itself (each with a distinct CRL address),
/// so the process-wide CRL cache never holds a list another test depends on.
/// </remarks>
[Collection(MtaStsCollection.Name)]
public sealed class CertificateValidatorTests(MtaStsEnvironment env)
{
    [Fact]
    public async Task ResolveAsync_CertificateForOtherNameOnly_WebPkiInvalid()
    {
        // K.31.
        var (domain, resolution) = await ResolveWithCertificateAsync(_ => env.Ca.IssueServerCertificate("example.com"));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name");
        Assert.Equal(0, env.Https.RequestCount(PolicyHost(domain)));
        Assert.Equal(1, env.Https.HandshakeCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_CertificateForPolicyDomainOnly_WebPkiInvalid()
    {
        // The name is mta-sts.<domain>; a certificate for <domain> itself does not cover it.
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueServerCertificate(domain));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name");
    }

    [Fact]
    public async Task ResolveAsync_WildcardCertificateForPolicyDomain_Fetched()
    {
        // K.32: *.<domain> covers mta-sts.<domain>.
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueServerCertificate("*." + domain));

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_WildcardCertificateInUpperCase_Fetched()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueServerCertificate("*." + domain.ToUpperInvariant()));

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_MultiNameCertificateListingThePolicyHostLast_Fetched()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain =>
            env.Ca.IssueMultiNameServerCertificate("example.com", domain, "www." + domain, PolicyHost(domain)));

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_CertificateNameInUpperCase_Fetched()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueServerCertificate(PolicyHost(domain).ToUpperInvariant()));

        AssertFetched(resolution);
    }

    [Theory]
    [InlineData("*.mta-sts.{0}")]
    [InlineData("mta*.{0}")]
    [InlineData("*ta-sts.{0}")]
    [InlineData("mta-sts.*.{1}")]
    [InlineData("*.{1}")]
    [InlineData("*.*.{1}")]
    public async Task ResolveAsync_WildcardNotCoveringThePolicyHost_WebPkiInvalid(string pattern)
    {
        // K.32: a wildcard only as the complete left-most label, standing for exactly one label.
        var (_, resolution) = await ResolveWithCertificateAsync(domain =>
            env.Ca.IssueServerCertificate(string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, domain, domain[(domain.IndexOf('.', StringComparison.Ordinal) + 1)..])));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name");
    }

    [Fact]
    public async Task ResolveAsync_CommonNameOnlyCertificate_WebPkiInvalid()
    {
        // K.33: CN=mta-sts.<domain> and no subjectAltName. The infrastructure smoke tests show that .NET's own
        // SslStream name check accepts this certificate; the library must not.
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueCommonNameOnlyServerCertificate(PolicyHost(domain)));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name");
    }

    [Fact]
    public async Task ResolveAsync_CommonNameMatchingButSanForOtherName_WebPkiInvalid()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueServerCertificate(new ServerCertificateOptions
        {
            CommonName = PolicyHost(domain),
            DnsNames = ["other." + domain],
        }));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name");
    }

    [Fact]
    public async Task ResolveAsync_ExpiredCertificate_WebPkiInvalid()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueExpiredServerCertificate(PolicyHost(domain)));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "certificate-expired");
    }

    [Fact]
    public async Task ResolveAsync_NotYetValidCertificate_WebPkiInvalid()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueNotYetValidServerCertificate(PolicyHost(domain)));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "certificate-not-yet-valid");
    }

    [Fact]
    public async Task ResolveAsync_SelfSignedCertificate_WebPkiInvalid()
    {
        var (_, resolution) = await ResolveWithCertificateAsync(domain => TestCertificateAuthority.CreateSelfSignedServerCertificate(PolicyHost(domain)));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "untrusted-root");
    }

    [Fact]
    public async Task ResolveAsync_CertificateFromUntrustedAuthority_WebPkiInvalid()
    {
        using var untrusted = TestCertificateAuthority.Create("Untrusted root");

        var (_, resolution) = await ResolveWithCertificateAsync(domain => untrusted.IssueServerCertificate(PolicyHost(domain)));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "untrusted-root");
    }

    [Fact]
    public async Task ResolveAsync_CertificateWithoutExtendedKeyUsage_Fetched()
    {
        // F.7: serverAuth is required only when an EKU extension is present; without one the key may serve any purpose.
        var (_, resolution) = await ResolveWithCertificateAsync(domain => env.Ca.IssueServerCertificate(new ServerCertificateOptions
        {
            DnsNames = [PolicyHost(domain)],
            IncludeServerAuthentication = false,
        }));

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_IntermediateNotSent_WebPkiInvalid()
    {
        using var intermediate = env.Ca.CreateIntermediate();

        var (_, resolution) = await ResolveWithCertificateAsync(domain => intermediate.IssueServerCertificate(PolicyHost(domain)));

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "untrusted-root");
    }

    [Fact]
    public async Task ResolveAsync_IntermediateSent_Fetched()
    {
        using var intermediate = env.Ca.CreateIntermediate();

        var (_, resolution) = await ResolveWithCertificateAsync(
            domain => intermediate.IssueServerCertificate(PolicyHost(domain)),
            intermediates: intermediate.IntermediateCertificates);

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_RevokedCertificateCheckedOnline_WebPkiInvalid()
    {
        using var ca = TestCertificateAuthority.Create("Revoking root", env.Crl);
        var downloads = env.Crl.RequestCount;

        var (_, resolution) = await ResolveWithCertificateAsync(
            domain => ca.IssueRevokedServerCertificate(PolicyHost(domain)),
            configure: o =>
            {
                o.TrustRoots.Add(ca.RootCertificate);
                o.RevocationMode = X509RevocationMode.Online;
            });

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "certificate-revoked");
        Assert.True(env.Crl.RequestCount > downloads, "the CRL was not downloaded");
    }

    [Fact]
    public async Task ResolveAsync_RevokedIntermediateCheckedOnline_WebPkiInvalid()
    {
        using var ca = TestCertificateAuthority.Create("Revoking root", env.Crl);
        using var intermediate = ca.CreateIntermediate();
        ca.Revoke(intermediate.Certificate);

        var (_, resolution) = await ResolveWithCertificateAsync(
            domain => intermediate.IssueServerCertificate(PolicyHost(domain)),
            intermediate.IntermediateCertificates,
            o =>
            {
                o.TrustRoots.Add(ca.RootCertificate);
                o.RevocationMode = X509RevocationMode.Online;
            });

        AssertNoPolicy(resolution, TlsRptResultType.StsWebPkiInvalid, "certificate-revoked");
    }

    [Fact]
    public async Task ResolveAsync_GoodCertificateCheckedOnline_Fetched()
    {
        using var ca = TestCertificateAuthority.Create("Revoking root", env.Crl);
        using var intermediate = ca.CreateIntermediate();
        var downloads = env.Crl.RequestCount;

        var (_, resolution) = await ResolveWithCertificateAsync(
            domain => intermediate.IssueServerCertificate(PolicyHost(domain)),
            intermediate.IntermediateCertificates,
            o =>
            {
                o.TrustRoots.Add(ca.RootCertificate);
                o.RevocationMode = X509RevocationMode.Online;
            });

        AssertFetched(resolution);
        Assert.True(env.Crl.RequestCount >= downloads + 2, $"CRL downloads: {env.Crl.RequestCount - downloads}"); // leaf's and intermediate's issuers
    }

    [Fact]
    public async Task ResolveAsync_RevocationStatusUnknown_SoftFailFetched()
    {
        // Decision 31: an unknown status is tolerated. This authority publishes no CRL and names no distribution point.
        using var ca = TestCertificateAuthority.Create("Root without CRL");

        var (_, resolution) = await ResolveWithCertificateAsync(
            domain => ca.IssueServerCertificate(PolicyHost(domain)),
            configure: o =>
            {
                o.TrustRoots.Add(ca.RootCertificate);
                o.RevocationMode = X509RevocationMode.Online;
            });

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_RevokedCertificateWithRevocationCheckOff_Fetched()
    {
        using var ca = TestCertificateAuthority.Create("Revoking root", env.Crl);
        var downloads = env.Crl.RequestCount;

        var (_, resolution) = await ResolveWithCertificateAsync(
            domain => ca.IssueRevokedServerCertificate(PolicyHost(domain)),
            configure: o =>
            {
                o.TrustRoots.Add(ca.RootCertificate);
                o.RevocationMode = X509RevocationMode.NoCheck;
            });

        AssertFetched(resolution);
        Assert.Equal(downloads, env.Crl.RequestCount);
    }

    [Fact]
    public async Task ResolveAsync_CertificateFailureThenSameId_BackedOffWithoutAnotherHandshake()
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetCertificate(PolicyHost(domain), env.Ca.IssueExpiredServerCertificate(PolicyHost(domain)));
        await using var sut = env.CreateResolver();

        var first = await sut.ResolveAsync(domain);
        var second = await sut.ResolveAsync(domain);

        AssertNoPolicy(first, TlsRptResultType.StsWebPkiInvalid, "certificate-expired");
        AssertNoPolicy(second, TlsRptResultType.StsPolicyFetchError, "fetch-backoff");
        Assert.Equal(1, env.Https.HandshakeCount(PolicyHost(domain)));
    }

    /// <summary>
    /// Makes a domain whose policy host presents the certificate <paramref name="certificate"/> builds for it (plus
    /// <paramref name="intermediates"/>), serving a valid policy, and resolves it once with a fresh resolver.
    /// </summary>
    private async Task<(string Domain, PolicyResolution Resolution)> ResolveWithCertificateAsync(
        Func<string, X509Certificate2> certificate,
        X509Certificate2Collection? intermediates = null,
        Action<MtaStsOptions>? configure = null)
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetCertificate(PolicyHost(domain), certificate(domain), intermediates);
        await using var sut = env.CreateResolver(configure);
        return (domain, await sut.ResolveAsync(domain));
    }
}
