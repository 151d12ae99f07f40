using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.MailKit.Tests;

/// <summary>A root and leaf certificates made in memory for the guard's tests.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(DateTimeOffset now)
    {
        Now = now;
        var request = new CertificateRequest("CN=Guard Test Root", _rootKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Root = request.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));
    }

    public DateTimeOffset Now { get; }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Issue(string dnsName, int notAfterDays = 30)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        return request.Create(Root, Now.AddDays(-2), Now.AddDays(notAfterDays), RandomNumberGenerator.GetBytes(8));
    }

    public void Dispose()
    {
        Root.Dispose();
        _rootKey.Dispose();
    }
}
