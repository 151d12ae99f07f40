using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Dane;

/// <summary>DANE-EE(3) and DANE-TA(2) authentication (RFC 7672 §3) and every way it can say no, with certificates made here.</summary>
public sealed class DaneCertificateValidatorTests : IDisposable
{
    private const string Host = "mx1.example.com";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly DaneCertificateValidator _sut = new(new FakeTimeProvider(Now));

    public DaneCertificateValidatorTests()
    {
        _root = CaRequest("CN=DANE Test Root", _rootKey).CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        using var issued = CaRequest("CN=DANE Test Intermediate", _intermediateKey).Create(_root, Now.AddYears(-1), Now.AddYears(4), [1, 2, 3, 4]);
        _intermediate = issued.CopyWithPrivateKey(_intermediateKey);
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(0, 0)]
    public void Validate_DaneEeMatchingSelfSignedExpiredWrongNameCertificate_IsValid(byte selector, byte matchingType)
    {
        // RFC 7672 §3.1.1: DANE-EE ignores names and validity dates, and needs no issuer.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = LeafRequest("other.example.net", key).CreateSelfSigned(Now.AddYears(-3), Now.AddYears(-2));

        var result = _sut.Validate(leaf, null, Tlsa(Record(3, selector, matchingType, leaf)));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Validate_DaneEeForAnotherKey_IsTlsaInvalidNoMatch()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = LeafRequest(Host, key).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
        using var published = LeafRequest(Host, other).CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));

        var result = _sut.Validate(leaf, null, Tlsa(Record(3, 1, 1, published)));

        Assert.Equal(TlsRptResultType.TlsaInvalid, result.ResultType);
        Assert.Equal(ReasonCodes.TlsaNoMatch, result.ReasonCode);
    }

    [Fact]
    public void Validate_PkixEeRecordMatchingTheCertificate_IsUnusableAndAuthenticatesNothing()
    {
        // RFC 7672 §3.1.3: PKIX-EE(1) and PKIX-TA(0) are unusable for SMTP.
        using var leaf = IssueLeaf(Host);

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(1, 1, 1, leaf), Record(0, 1, 1, _intermediate)));

        Assert.Equal(TlsRptResultType.TlsaInvalid, result.ResultType);
        Assert.Equal(ReasonCodes.TlsaNoMatch, result.ReasonCode);
    }

    [Fact]
    public void Validate_DaneTaIntermediateInPresentedChainAndLeafNamesHost_IsValid()
    {
        using var leaf = IssueLeaf(Host);

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(2, 1, 1, _intermediate)));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Validate_DaneTaLeafNamesTheSecureCnameTarget_IsValid()
    {
        using var leaf = IssueLeaf("mail.provider.example");

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa([Record(2, 0, 1, _root)], canonicalName: "mail.provider.example"));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Validate_DaneTaLeafNamesAnotherHost_IsCertificateHostMismatch()
    {
        using var leaf = IssueLeaf("mx9.example.org");

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(2, 1, 1, _intermediate)));

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, result.ResultType);
        Assert.Equal(ReasonCodes.NoMatchingSanDnsName, result.ReasonCode);
    }

    [Fact]
    public void Validate_DaneTaLeafOnlyInTheCommonName_IsCertificateHostMismatch()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + Host, key, HashAlgorithmName.SHA256);
        using var leaf = request.Create(_intermediate, Now.AddDays(-1), Now.AddDays(30), [9, 9]);

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(2, 1, 1, _intermediate)));

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, result.ResultType);
    }

    [Fact]
    public void Validate_DaneTaExpiredLeaf_IsCertificateExpired()
    {
        using var leaf = IssueLeaf(Host, Now.AddDays(-30), Now.AddDays(-1));

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(2, 1, 1, _intermediate)));

        Assert.Equal(TlsRptResultType.CertificateExpired, result.ResultType);
    }

    [Fact]
    public void Validate_DaneTaExpiredIntermediateBelowTheAnchor_IsTlsaInvalidChainInvalid()
    {
        // The record names the root; the intermediate between it and the leaf expired yesterday.
        using var expiredKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = CaRequest("CN=DANE Expired Intermediate", expiredKey).Create(_root, Now.AddYears(-1), Now.AddDays(-1), [8, 8]);
        using var expired = issued.CopyWithPrivateKey(expiredKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = IssueOutsideIssuerValidity(LeafRequest(Host, leafKey), expired, expiredKey, [8, 9]);
        using var presented = new X509Chain();
        presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        presented.ChainPolicy.CustomTrustStore.Add(_root);
        presented.ChainPolicy.ExtraStore.Add(expired);
        presented.ChainPolicy.VerificationTime = Now.UtcDateTime;
        presented.ChainPolicy.DisableCertificateDownloads = true;
        presented.Build(leaf);

        var result = _sut.Validate(leaf, presented, Tlsa(Record(2, 0, 1, _root)));

        Assert.Equal(TlsRptResultType.TlsaInvalid, result.ResultType);
        Assert.Equal(ReasonCodes.DaneTaChainInvalid, result.ReasonCode);
    }

    [Fact]
    public void Validate_DaneTaExpiredAnchorItself_IsValid()
    {
        // The TLSA record, not the anchor certificate's dates, makes the anchor trusted (RFC 7671 §5.2.2, Decision 39).
        using var oldRootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var oldRoot = CaRequest("CN=DANE Expired Root", oldRootKey).CreateSelfSigned(Now.AddYears(-3), Now.AddDays(-1));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = IssueOutsideIssuerValidity(LeafRequest(Host, leafKey), oldRoot, oldRootKey, [4, 4]);
        using var presented = new X509Chain();
        presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        presented.ChainPolicy.CustomTrustStore.Add(oldRoot);
        presented.ChainPolicy.VerificationTime = Now.UtcDateTime;
        presented.ChainPolicy.DisableCertificateDownloads = true;
        presented.Build(leaf);

        var result = _sut.Validate(leaf, presented, Tlsa(Record(2, 1, 1, oldRoot)));

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Validate_DaneTaAnchorNotInThePresentedChain_IsTlsaInvalidNoMatch()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = CaRequest("CN=Somebody Else", otherKey).CreateSelfSigned(Now.AddYears(-1), Now.AddYears(1));
        using var leaf = IssueLeaf(Host);

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(2, 1, 1, otherCa)));

        Assert.Equal(TlsRptResultType.TlsaInvalid, result.ResultType);
        Assert.Equal(ReasonCodes.TlsaNoMatch, result.ReasonCode);
    }

    [Fact]
    public void Validate_LeafNotSignedByTheMatchingAnchor_IsTlsaInvalidChainInvalid()
    {
        // An attacker copies the real (public) intermediate into the chain, but signs the leaf with a key of his own
        // under the same issuer name.
        using var forgerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var forger = CaRequest(_intermediate.Subject, forgerKey).CreateSelfSigned(Now.AddYears(-1), Now.AddYears(1));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = LeafRequest(Host, leafKey).Create(forger, Now.AddDays(-1), Now.AddDays(30), [7, 7, 7]);

        var result = _sut.Validate(leaf, Presented(leaf), Tlsa(Record(2, 1, 1, _intermediate)));

        Assert.False(result.IsValid);
        Assert.Equal(TlsRptResultType.TlsaInvalid, result.ResultType);
    }

    [Fact]
    public void Validate_NoCertificate_IsCertificateNotTrusted()
    {
        var result = _sut.Validate(null, null, Tlsa(Record(3, 1, 1, _root)));

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, result.ResultType);
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static CertificateRequest LeafRequest(string host, ECDsa key)
    {
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        return request;
    }

    private static TlsaRecord Record(byte usage, byte selector, byte matchingType, X509Certificate2 certificate)
    {
        var selected = selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var data = matchingType switch
        {
            1 => SHA256.HashData(selected),
            2 => SHA512.HashData(selected),
            _ => selected,
        };
        return new TlsaRecord(usage, selector, matchingType, data);
    }

    /// <summary>A leaf valid now, signed by an issuer whose own validity has ended (which <c>Create(issuer, …)</c> refuses to do).</summary>
    private static X509Certificate2 IssueOutsideIssuerValidity(CertificateRequest request, X509Certificate2 issuer, ECDsa issuerKey, byte[] serial) =>
        request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), Now.AddDays(-1), Now.AddDays(30), serial);

    private static TlsaLookupResult Tlsa(params TlsaRecord[] records) => Tlsa(records, canonicalName: null);

    private static TlsaLookupResult Tlsa(TlsaRecord[] records, string? canonicalName) => new(
        records.Any(r => r.IsUsable) ? TlsaLookupStatus.Usable : TlsaLookupStatus.Unusable,
        Host,
        AddressLookupResult.Found([IPAddress.Loopback]),
        records,
        canonicalName: canonicalName);

    private X509Certificate2 IssueLeaf(string host, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = LeafRequest(host, key).Create(_intermediate, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(30), [5, 6, Random.Shared.NextByteValue()]);
        return leaf.CopyWithPrivateKey(key);
    }

    /// <summary>The chain a TLS stack builds from what a server sends (the leaf, the intermediate and the root).</summary>
    private X509Chain Presented(X509Certificate2 leaf)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllFlags;
        chain.ChainPolicy.ExtraStore.Add(_intermediate);
        chain.ChainPolicy.ExtraStore.Add(_root);
        chain.Build(leaf);
        return chain;
    }
}

internal static class RandomExtensions
{
    public static byte NextByteValue(this Random random) => (byte)random.Next(1, 255);
}
