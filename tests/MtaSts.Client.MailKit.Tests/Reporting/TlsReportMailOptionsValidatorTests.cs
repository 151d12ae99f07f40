using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MtaSts.MailKit.Tests.Reporting;

/// <summary>Mail reports need a DKIM key MimeKit can sign with; every way the check says no, and where it stays out of the way.</summary>
public sealed class TlsReportMailOptionsValidatorTests
{
    private readonly TlsReportMailOptionsValidator _sut = new();

    [Fact]
    public void Validate_KeyIsNotPem_FailsWithoutEchoingIt()
    {
        var result = _sut.Validate(null, Options("secret-garbage-that-is-not-a-key"));

        Assert.True(result.Failed);
        Assert.StartsWith("TlsRptOptions.DkimPrivateKeyPem is not a PEM private key MimeKit can sign with", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-garbage", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PublicKeyInsteadOfPrivate_Fails()
    {
        using var rsa = RSA.Create(2048);

        var result = _sut.Validate(null, Options(rsa.ExportSubjectPublicKeyInfoPem()));

        Assert.True(result.Failed);
        Assert.Contains("TlsRptOptions.DkimPrivateKeyPem", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RsaKeyShorterThan1024Bits_FailsNamingTheSize()
    {
        using var rsa = RSA.Create(512);

        var result = _sut.Validate(null, Options(rsa.ExportRSAPrivateKeyPem()));

        Assert.Contains("is a 512-bit RSA key; DKIM needs at least 1024 bits (RFC 8301)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Validate_Rsa2048InPkcs1OrPkcs8_Succeeds(bool pkcs8)
    {
        using var rsa = RSA.Create(2048);

        Assert.True(_sut.Validate(null, Options(pkcs8 ? rsa.ExportPkcs8PrivateKeyPem() : rsa.ExportRSAPrivateKeyPem())).Succeeded);
    }

    [Fact]
    public void Validate_MailNotEnabled_KeyNotLookedAt()
    {
        var options = Options("not a key");
        options.Transports = TlsReportTransports.Https;

        Assert.True(_sut.Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task AddTlsReportMail_BadKey_HostFailsToStartAndTheAgentIsRegistered()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddTlsReporting(o =>
        {
            o.OrganizationName = "Sender Org";
            o.ContactInfo = "tlsrpt@sender.example";
            o.DkimSelector = "tlsrpt";
            o.DkimPrivateKeyPem = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        }).AddMailKitDelivery(d => d.HeloName = "mta.sender.example").AddTlsReportMail();
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetService<MtaStsDeliveryAgent>());
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TlsRptOptions>>().Value);
        Assert.Contains("TlsRptOptions.DkimPrivateKeyPem is not a PEM private key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTlsReportMail_ValidKey_MailTransportRegistered()
    {
        using var rsa = RSA.Create(2048);
        var services = new ServiceCollection();
        services.AddMtaSts().AddTlsReporting(o =>
        {
            o.OrganizationName = "Sender Org";
            o.ContactInfo = "tlsrpt@sender.example";
            o.DkimSelector = "tlsrpt";
            o.DkimPrivateKeyPem = rsa.ExportRSAPrivateKeyPem();
        }).AddMailKitDelivery(d => d.HeloName = "mta.sender.example").AddTlsReportMail();
        await using var provider = services.BuildServiceProvider();

        var schemes = provider.GetServices<ITlsReportTransport>().Select(t => t.Scheme).Order(StringComparer.Ordinal);

        Assert.Equal(["https", "mailto"], schemes);
    }

    private static TlsRptOptions Options(string pem) => new()
    {
        OrganizationName = "Sender Org",
        ContactInfo = "tlsrpt@sender.example",
        DkimSelector = "tlsrpt",
        DkimPrivateKeyPem = pem,
    };
}
