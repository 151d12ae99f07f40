using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.MailKit.Tests;

public sealed class MtaStsTlsGuardTests : IDisposable
{
    private const string Mx = "mx1.example.com";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly TestCertificates _certs;
    private readonly MxCertificateValidator _validator;

    public MtaStsTlsGuardTests()
    {
        _certs = new TestCertificates(_time.GetUtcNow());
        _validator = new MxCertificateValidator([_certs.Root], X509RevocationMode.NoCheck, _time);
    }

    public void Dispose() => _certs.Dispose();

    [Fact]
    public void Apply_Enforce_RequiresStartTlsAndTls12()
    {
        using var client = new SmtpClient();

        var sut = MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator);

        Assert.True(sut.IsEnforced);
        Assert.Equal(SecureSocketOptions.StartTls, sut.SecureSocketOptions);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, client.SslProtocols);
        Assert.NotNull(client.ServerCertificateValidationCallback);
    }

    [Theory]
    [InlineData("testing")]
    [InlineData("none")]
    [InlineData(null)]
    public void Apply_NotEnforced_UsesOpportunisticStartTls(string? mode)
    {
        using var client = new SmtpClient();

        var sut = MtaStsTlsGuard.Apply(client, Resolution(mode), Mx, _validator);

        Assert.False(sut.IsEnforced);
        Assert.Equal(SecureSocketOptions.StartTlsWhenAvailable, sut.SecureSocketOptions);
    }

    [Fact]
    public void Callback_EnforceAndValidCertificate_Accepts()
    {
        using var client = new SmtpClient();
        var sut = MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator);
        using var leaf = _certs.Issue(Mx);

        // The platform's verdict is ignored in both directions: here it claims a mismatch that is not there.
        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch);

        Assert.True(accepted);
        Assert.True(sut.CertificateResult!.IsValid);
    }

    [Theory]
    [InlineData("other.example.com", 30, TlsRptResultType.CertificateHostMismatch)]
    [InlineData(Mx, -1, TlsRptResultType.CertificateExpired)]
    public void Callback_EnforceAndBadCertificate_RefusesAndRecords(string name, int notAfterDays, TlsRptResultType expected)
    {
        using var client = new SmtpClient();
        var sut = MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator);
        using var leaf = _certs.Issue(name, notAfterDays);

        // The platform's verdict is ignored: it says "no errors", the guard still refuses.
        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None);

        Assert.False(accepted);
        Assert.Equal(expected, sut.CertificateResult!.ResultType);
    }

    [Fact]
    public void Callback_TestingAndBadCertificate_AcceptsButRecords()
    {
        using var client = new SmtpClient();
        var sut = MtaStsTlsGuard.Apply(client, Resolution("testing"), Mx, _validator);
        using var leaf = _certs.Issue("other.example.com");

        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch);

        Assert.True(accepted);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, sut.CertificateResult!.ResultType);
    }

    [Fact]
    public void ThrowIfNotCompliant_EnforceButNotSecure_Throws()
    {
        using var client = new SmtpClient();
        var sut = MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator);

        var ex = Assert.Throws<MtaStsDeliveryException>(() => sut.ThrowIfNotCompliant(client));

        Assert.Equal(TlsRptResultType.StartTlsNotSupported, ex.ResultType);
        Assert.Equal(Mx, ex.MxHost);
        Assert.Equal("example.com", ex.PolicyDomain);
    }

    [Fact]
    public void ThrowIfNotCompliant_Testing_DoesNotThrow()
    {
        using var client = new SmtpClient();
        var sut = MtaStsTlsGuard.Apply(client, Resolution("testing"), Mx, _validator);

        sut.ThrowIfNotCompliant(client);
        Assert.Null(sut.CertificateResult);
    }

    [Fact]
    public void Apply_NullArguments_Throw()
    {
        using var client = new SmtpClient();

        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(null!, Resolution("enforce"), Mx, _validator));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, null!, Mx, _validator));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), null!, _validator));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, null!));
    }

    private static PolicyResolution Resolution(string? mode) => mode is null
        ? new PolicyResolution("example.com", PolicyResolutionStatus.NoPolicy)
        : new PolicyResolution(
            "example.com",
            PolicyResolutionStatus.Cached,
            MtaStsPolicy.Parse($"version: STSv1\nmode: {mode}\nmax_age: 86400\nmx: {Mx}\n"),
            "id1");
}
