using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Fetching;

/// <summary>The certificate verdict the TLS callback leaves for the fetcher: taken once, and never kept for ever.</summary>
public sealed class PolicyHttpHandlerFactoryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly PolicyHttpHandlerFactory _sut;

    public PolicyHttpHandlerFactoryTests()
    {
        var options = new MtaStsOptions();
        _sut = new PolicyHttpHandlerFactory(options, new FakeDns(), new CertificateValidator([], X509RevocationMode.NoCheck, _time), _time);
    }

    [Fact]
    public void TakeLastCertificateResult_AfterAVerdict_ReturnsItOnceIgnoringCase()
    {
        var verdict = CertificateCheckResult.Fail(TlsRptResultType.CertificateExpired, "certificate-expired");
        _sut.RememberCertificateResult("MTA-STS.Example.com", verdict);

        Assert.Equal(verdict, _sut.TakeLastCertificateResult("mta-sts.example.com"));
        Assert.Null(_sut.TakeLastCertificateResult("mta-sts.example.com"));
        Assert.Equal(0, _sut.CertificateResultCount);
    }

    [Fact]
    public void TakeLastCertificateResult_NeverTaken_ExpiresOnTheInjectedClock()
    {
        _sut.RememberCertificateResult("mta-sts.example.com", CertificateCheckResult.Valid);

        _time.Advance(PolicyHttpHandlerFactory.CertificateResultLifetime);

        Assert.Null(_sut.TakeLastCertificateResult("mta-sts.example.com"));
        Assert.Equal(0, _sut.CertificateResultCount);
    }

    [Fact]
    public void RememberCertificateResult_ManyHosts_StaysWithinTheLimit()
    {
        for (var i = 0; i < PolicyHttpHandlerFactory.CertificateResultLimit + 100; i++)
        {
            _sut.RememberCertificateResult($"mta-sts.d{i}.example", CertificateCheckResult.Valid);
        }

        Assert.InRange(_sut.CertificateResultCount, 1, PolicyHttpHandlerFactory.CertificateResultLimit);
    }
}
