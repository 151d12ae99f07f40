using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Validation;

/// <summary>Every way the certificate check can say no, with certificates made here (no network).</summary>
public sealed class CertificateValidatorTests : IDisposable
{
    private const string Host = "mta-sts.example.com";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly X509Certificate2 _root;
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly CertificateValidator _sut;

    public CertificateValidatorTests()
    {
        var request = new CertificateRequest("CN=Test Root", _rootKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _root = request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        _sut = new CertificateValidator([_root], X509RevocationMode.NoCheck, _time);
    }

    public void Dispose()
    {
        _root.Dispose();
        _rootKey.Dispose();
    }

    [Fact]
    public void Validate_ValidLeafForHost_IsValid()
    {
        using var leaf = Issue(Host);

        Assert.True(_sut.Validate(leaf, null, Host).IsValid);
    }

    [Fact]
    public void Validate_WildcardLeaf_IsValidForOneLabelOnly()
    {
        using var leaf = Issue("*.example.com");

        Assert.True(_sut.Validate(leaf, null, Host).IsValid);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, _sut.Validate(leaf, null, "a.mta-sts.example.com").ResultType);
    }

    [Fact]
    public void Validate_WrongName_IsHostMismatch()
    {
        using var leaf = Issue("example.com");

        var result = _sut.Validate(leaf, null, Host);

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, result.ResultType);
        Assert.Equal("no-matching-san-dns-name", result.ReasonCode);
    }

    [Fact]
    public void Validate_CommonNameOnlyWithoutSan_IsHostMismatch()
    {
        // Checklist F.4: no CN fallback.
        using var leaf = Issue(null, subject: "CN=" + Host);

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_CommonNameMatchesButSanListsOthers_IsHostMismatch()
    {
        // K.73.
        using var leaf = Issue("other.example.com", subject: "CN=" + Host);

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_Expired_IsCertificateExpired()
    {
        using var leaf = Issue(Host, notBefore: Now.AddDays(-30), notAfter: Now.AddDays(-1));

        Assert.Equal(TlsRptResultType.CertificateExpired, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_NotYetValid_IsNotTrusted()
    {
        using var leaf = Issue(Host, notBefore: Now.AddDays(1), notAfter: Now.AddDays(30));

        var result = _sut.Validate(leaf, null, Host);

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, result.ResultType);
        Assert.Equal("certificate-not-yet-valid", result.ReasonCode);
    }

    [Fact]
    public void Validate_SelfSigned_IsNotTrusted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(key, Host, "CN=" + Host);
        using var selfSigned = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));

        var result = _sut.Validate(selfSigned, null, Host);

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, result.ResultType);
        Assert.Equal("untrusted-root", result.ReasonCode);
    }

    [Fact]
    public void Validate_IssuedByAnotherRoot_IsNotTrusted()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=Other Root", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherRoot = otherRequest.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        using var leaf = Issue(Host, issuer: otherRoot);

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_WithoutServerAuthUsage_IsNotTrusted()
    {
        using var leaf = Issue(Host, serverAuth: false);

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_CachedChainVerdict_StillChecksNameAndExpiryEachTime()
    {
        using var leaf = Issue(Host, notAfter: Now.AddDays(2));
        Assert.True(_sut.Validate(leaf, null, Host).IsValid);

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, _sut.Validate(leaf, null, "other.example.com").ResultType);
        _time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(TlsRptResultType.CertificateExpired, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_ChainVerdict_IsReusedForItsLifetimeOnTheInjectedClockThenCheckedAgain()
    {
        // A root that expires 5 minutes from now: a chain built after that fails, a cached verdict does not.
        using var shortKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Short Root", shortKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var shortRoot = request.CreateSelfSigned(Now.AddYears(-1), Now.AddMinutes(5));
        var sut = new CertificateValidator([shortRoot], X509RevocationMode.NoCheck, _time);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var longLeaf = LeafRequest(leafKey, Host, "CN=leaf").Create(
            shortRoot.SubjectName, X509SignatureGenerator.CreateForECDsa(shortKey), Now.AddDays(-1), Now.AddDays(30), RandomNumberGenerator.GetBytes(12));

        Assert.True(sut.Validate(longLeaf, null, Host).IsValid);
        Assert.Equal(1, sut.CachedChainVerdicts);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(sut.Validate(longLeaf, null, Host).IsValid);

        _time.Advance(CertificateValidator.ChainVerdictLifetime - TimeSpan.FromMinutes(6));
        Assert.Equal("chain-not-time-valid", sut.Validate(longLeaf, null, Host).ReasonCode);
        Assert.Equal(0, sut.CachedChainVerdicts);
    }

    [Fact]
    public void Validate_ChainFailure_IsNotCached()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=Other Root", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherRoot = otherRequest.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        using var leaf = Issue(Host, issuer: otherRoot);

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, _sut.Validate(leaf, null, Host).ResultType);
        Assert.Equal(TlsRptResultType.CertificateNotTrusted, _sut.Validate(leaf, null, Host).ResultType);

        // Trusting that root in another validator does not leak into this one.
        var trusting = new CertificateValidator([otherRoot], X509RevocationMode.NoCheck, _time);
        Assert.True(trusting.Validate(leaf, null, Host).IsValid);
        Assert.Equal(TlsRptResultType.CertificateNotTrusted, _sut.Validate(leaf, null, Host).ResultType);
    }

    [Fact]
    public void Validate_NoCertificate_IsNotTrusted()
    {
        Assert.Equal(TlsRptResultType.CertificateNotTrusted, _sut.Validate(null, null, Host).ResultType);
    }

    private X509Certificate2 Issue(
        string? dnsName,
        string? subject = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        X509Certificate2? issuer = null,
        bool serverAuth = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest(key, dnsName, subject ?? "CN=leaf", serverAuth);
        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(issuer ?? _root, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(30), serial);
        return cert.CopyWithPrivateKey(key);
    }

    private static CertificateRequest LeafRequest(ECDsa key, string? dnsName, string subject, bool serverAuth = true)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        if (serverAuth)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        }
        else
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        }

        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        return request;
    }
}
