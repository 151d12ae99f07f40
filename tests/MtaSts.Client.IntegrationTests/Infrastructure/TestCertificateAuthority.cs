using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A throw-away certificate authority built at test time (ECDSA P-256, SHA-256): a root, optional intermediates, and
/// server leaf certificates for every case an MTA-STS policy fetch must handle (valid, expired, not yet valid, wrong
/// name, CN only, wildcard, several names, self-signed, revoked). Every certificate is returned with a usable private
/// key (round-tripped through PKCS#12 so that Kestrel on Linux can use it). Names carry a random suffix, so each
/// authority is distinct, including in the .NET CRL cache.
/// </summary>
/// <remarks>
/// When created with a <see cref="TestCrlServer"/>, the authority publishes a CRL there and every certificate it issues
/// afterwards carries a CRL distribution point pointing at it; <see cref="Revoke"/> takes effect on the next CRL fetch.
/// </remarks>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly TimeProvider _timeProvider;
    private readonly TestCrlServer? _crlServer;
    private readonly Lock _gate = new();
    private readonly List<(byte[] SerialNumber, DateTimeOffset RevokedAt)> _revoked = [];
    private long _crlNumber;

    /// <summary>Creates a root authority without CRL publication (the constructor xUnit uses for fixtures).</summary>
    public TestCertificateAuthority()
        : this(null, null, null, null)
    {
    }

    private TestCertificateAuthority(string? name, TestCertificateAuthority? parent, TestCrlServer? crlServer, TimeProvider? timeProvider)
    {
        _timeProvider = timeProvider ?? parent?._timeProvider ?? TimeProvider.System;
        _crlServer = crlServer ?? parent?._crlServer;
        Parent = parent;
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var displayName = $"{name ?? (parent is null ? "MtaSts Test Root CA" : "MtaSts Test Intermediate CA")} {Id}";
        if (_crlServer is not null)
        {
            CrlDistributionPoint = _crlServer.Register(this);
        }

        var now = _timeProvider.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={displayName}, O=MtaSts.Client integration tests"),
            key,
            HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, parent is not null, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature,
            true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (parent is null)
        {
            // Wide validity so that expired and not-yet-valid leaves still nest inside the issuer's validity.
            Certificate = Reload(request.CreateSelfSigned(now.AddYears(-10), now.AddYears(10)));
        }
        else
        {
            parent.AddIssuerExtensions(request);
            using var issued = request.Create(parent.Certificate, now.AddYears(-9), now.AddYears(9), NewSerialNumber());
            Certificate = Reload(issued.CopyWithPrivateKey(key));
        }
    }

    /// <summary>Random identifier of this authority (part of its name and of its CRL address).</summary>
    public string Id { get; }

    /// <summary>This authority's own certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The issuing authority, or <see langword="null"/> for a root.</summary>
    public TestCertificateAuthority? Parent { get; }

    /// <summary>The root authority of this hierarchy.</summary>
    public TestCertificateAuthority Root => Parent?.Root ?? this;

    /// <summary>The root certificate: the only trust anchor tests should use.</summary>
    public X509Certificate2 RootCertificate => Root.Certificate;

    /// <summary>Where this authority's CRL is published, or <see langword="null"/> without a <see cref="TestCrlServer"/>.</summary>
    public Uri? CrlDistributionPoint { get; }

    /// <summary>The intermediate certificates a server must send with a leaf issued here (this authority up to, excluding, the root).</summary>
    public X509Certificate2Collection IntermediateCertificates
    {
        get
        {
            var chain = new X509Certificate2Collection();
            for (var authority = this; authority.Parent is not null; authority = authority.Parent)
            {
                chain.Add(authority.Certificate);
            }

            return chain;
        }
    }

    /// <summary>Creates a root authority.</summary>
    /// <param name="name">Common name prefix (a random suffix is appended).</param>
    /// <param name="crlServer">Where to publish CRLs; issued certificates then carry a CRL distribution point.</param>
    /// <param name="timeProvider">Clock used for validity periods; the system clock by default.</param>
    public static TestCertificateAuthority Create(string? name = null, TestCrlServer? crlServer = null, TimeProvider? timeProvider = null) =>
        new(name, null, crlServer, timeProvider);

    /// <summary>Creates a self-signed server certificate for <paramref name="dnsName"/>, not issued by any test authority.</summary>
    public static X509Certificate2 CreateSelfSignedServerCertificate(string dnsName, TimeProvider? timeProvider = null)
    {
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CreateLeafRequest(key, new ServerCertificateOptions { DnsNames = [dnsName] });
        return Reload(request.CreateSelfSigned(now.AddHours(-1), now.AddDays(30)));
    }

    /// <summary>Creates an intermediate authority issued by this one (sharing its CRL server and clock).</summary>
    public TestCertificateAuthority CreateIntermediate(string? name = null) => new(name, this, null, null);

    /// <summary>A valid server certificate whose only subjectAltName is <paramref name="dnsName"/> (wildcards allowed).</summary>
    public X509Certificate2 IssueServerCertificate(string dnsName) =>
        IssueServerCertificate(new ServerCertificateOptions { DnsNames = [dnsName] });

    /// <summary>A valid server certificate with every name of <paramref name="dnsNames"/> in its subjectAltName.</summary>
    public X509Certificate2 IssueMultiNameServerCertificate(params string[] dnsNames) =>
        IssueServerCertificate(new ServerCertificateOptions { DnsNames = dnsNames });

    /// <summary>A server certificate that expired yesterday.</summary>
    public X509Certificate2 IssueExpiredServerCertificate(string dnsName)
    {
        var now = _timeProvider.GetUtcNow();
        return IssueServerCertificate(new ServerCertificateOptions { DnsNames = [dnsName], NotBefore = now.AddDays(-30), NotAfter = now.AddDays(-1) });
    }

    /// <summary>A server certificate that becomes valid tomorrow.</summary>
    public X509Certificate2 IssueNotYetValidServerCertificate(string dnsName)
    {
        var now = _timeProvider.GetUtcNow();
        return IssueServerCertificate(new ServerCertificateOptions { DnsNames = [dnsName], NotBefore = now.AddDays(1), NotAfter = now.AddDays(30) });
    }

    /// <summary>A server certificate naming <paramref name="dnsName"/> only in the subject CN, with no subjectAltName extension.</summary>
    public X509Certificate2 IssueCommonNameOnlyServerCertificate(string dnsName) =>
        IssueServerCertificate(new ServerCertificateOptions { DnsNames = [dnsName], IncludeSubjectAlternativeName = false });

    /// <summary>A valid server certificate that is immediately listed on this authority's CRL.</summary>
    public X509Certificate2 IssueRevokedServerCertificate(string dnsName)
    {
        var certificate = IssueServerCertificate(dnsName);
        Revoke(certificate);
        return certificate;
    }

    /// <summary>Issues a server leaf certificate (serverAuth EKU, digitalSignature key usage, ECDSA P-256 key).</summary>
    public X509Certificate2 IssueServerCertificate(ServerCertificateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = _timeProvider.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CreateLeafRequest(key, options);
        AddIssuerExtensions(request);
        using var issued = request.Create(
            Certificate,
            options.NotBefore ?? now.AddHours(-1),
            options.NotAfter ?? now.AddDays(30),
            NewSerialNumber());
        return Reload(issued.CopyWithPrivateKey(key));
    }

    /// <summary>Adds the certificate (which must have been issued by this authority) to the CRL.</summary>
    public void Revoke(X509Certificate2 certificate, DateTimeOffset? revokedAt = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(Certificate.SubjectName.RawData))
        {
            throw new ArgumentException("The certificate was not issued by this authority.", nameof(certificate));
        }

        lock (_gate)
        {
            _revoked.Add((certificate.SerialNumberBytes.ToArray(), revokedAt ?? _timeProvider.GetUtcNow().AddMinutes(-1)));
        }
    }

    /// <summary>Builds a freshly signed DER CRL listing every revoked certificate (valid for one hour).</summary>
    public byte[] BuildCrl()
    {
        var builder = new CertificateRevocationListBuilder();
        lock (_gate)
        {
            foreach (var (serialNumber, revokedAt) in _revoked)
            {
                builder.AddEntry(serialNumber, revokedAt, X509RevocationReason.KeyCompromise);
            }
        }

        var now = _timeProvider.GetUtcNow();
        return builder.Build(
            Certificate,
            new BigInteger(Interlocked.Increment(ref _crlNumber)),
            now.AddHours(1),
            HashAlgorithmName.SHA256,
            thisUpdate: now.AddMinutes(-1));
    }

    /// <summary>A chain policy that trusts only this hierarchy's root.</summary>
    public X509ChainPolicy CreateChainPolicy(X509RevocationMode revocationMode = X509RevocationMode.NoCheck)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = revocationMode,
            DisableCertificateDownloads = true,
            UrlRetrievalTimeout = TimeSpan.FromSeconds(5),
            VerificationTimeIgnored = false,
        };
        policy.CustomTrustStore.Add(RootCertificate);
        policy.ApplicationPolicy.Add(ServerAuthentication);
        return policy;
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    private static CertificateRequest CreateLeafRequest(ECDsa key, ServerCertificateOptions options)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(options.CommonName ?? (options.DnsNames.Count > 0 ? options.DnsNames[0] : "MtaSts test server"));
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (options.IncludeServerAuthentication)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        }

        if (options.IncludeSubjectAlternativeName && options.DnsNames.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dnsName in options.DnsNames)
            {
                names.AddDnsName(dnsName);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40); // positive, and no leading zero byte
        return serial;
    }

    /// <summary>Takes ownership of <paramref name="certificate"/> and returns a PKCS#12 round-tripped copy whose key Kestrel can use.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        }
    }

    private void AddIssuerExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (CrlDistributionPoint is not null)
        {
            request.CertificateExtensions.Add(
                CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([CrlDistributionPoint.AbsoluteUri]));
        }
    }
}
