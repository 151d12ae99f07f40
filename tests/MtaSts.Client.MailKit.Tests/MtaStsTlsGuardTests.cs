using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
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
    private readonly DaneCertificateValidator _dane;

    public MtaStsTlsGuardTests()
    {
        _certs = new TestCertificates(_time.GetUtcNow());
        _validator = new MxCertificateValidator([_certs.Root], X509RevocationMode.NoCheck, _time);
        _dane = new DaneCertificateValidator(_time);
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

    [Theory]
    [InlineData("enforce")]
    [InlineData("testing")]
    [InlineData("none")]
    [InlineData(null)]
    public void ApplyDane_UsableTlsa_StartTlsMandatoryWhateverThePolicy(string? mode)
    {
        using var client = new SmtpClient();
        using var leaf = _certs.Issue(Mx);

        var sut = MtaStsTlsGuard.Apply(client, Resolution(mode), Mx, _validator, Tlsa(TlsaLookupStatus.Usable, EeRecord(leaf)), _dane);

        Assert.Equal(mode == "enforce", sut.IsEnforced);
        Assert.True(sut.IsTlsRequired);
        Assert.True(sut.IsDaneAuthenticated);
        Assert.Equal(SecureSocketOptions.StartTls, sut.SecureSocketOptions);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, client.SslProtocols);
        Assert.Equal(TlsaLookupStatus.Usable, sut.Tlsa?.Status);
        Assert.Equal(Mx, sut.ServerName);
    }

    [Theory]
    [InlineData(TlsaLookupStatus.NotFound, "enforce")]
    [InlineData(TlsaLookupStatus.NotFound, "testing")]
    [InlineData(TlsaLookupStatus.NotFound, null)]
    [InlineData(TlsaLookupStatus.Insecure, "enforce")]
    [InlineData(TlsaLookupStatus.Insecure, "none")]
    public void ApplyDane_NoDane_ExactlyTheMtaStsBehaviour(TlsaLookupStatus status, string? mode)
    {
        using var daneClient = new SmtpClient();
        using var stsClient = new SmtpClient();
        using var leaf = _certs.Issue("other.example.com");

        var sut = MtaStsTlsGuard.Apply(daneClient, Resolution(mode), Mx, _validator, Tlsa(status), _dane);
        var sts = MtaStsTlsGuard.Apply(stsClient, Resolution(mode), Mx, _validator);

        Assert.False(sut.IsDaneAuthenticated);
        Assert.Equal(sts.IsTlsRequired, sut.IsTlsRequired);
        Assert.Equal(sts.SecureSocketOptions, sut.SecureSocketOptions);
        Assert.Equal(stsClient.SslProtocols, daneClient.SslProtocols);
        Assert.Equal(Mx, sut.ServerName);
        var accepted = daneClient.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None);
        Assert.Equal(stsClient.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None), accepted);
        Assert.Equal(mode != "enforce", accepted);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, sut.CertificateResult!.ResultType);
    }

    [Theory]
    [InlineData("enforce")]
    [InlineData("testing")]
    [InlineData(null)]
    public void CallbackDane_CertificateMatchesNoTlsaRecordButPassesPkix_Refused(string? mode)
    {
        // RFC 8461 §2: MTA-STS never overrides a failing DANE check.
        using var client = new SmtpClient();
        using var leaf = _certs.Issue(Mx);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var record = new TlsaRecord(3, 1, 1, SHA256.HashData(other.ExportSubjectPublicKeyInfo()));
        var sut = MtaStsTlsGuard.Apply(client, Resolution(mode), Mx, _validator, Tlsa(TlsaLookupStatus.Usable, record), _dane);

        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None);

        Assert.False(accepted);
        Assert.Equal((TlsRptResultType.TlsaInvalid, ReasonCodes.TlsaNoMatch), (sut.CertificateResult!.ResultType, sut.CertificateResult.ReasonCode));
    }

    [Theory]
    [InlineData("testing")]
    [InlineData(null)]
    public void CallbackDane_DaneEeMatchesACertificatePkixWouldRefuse_Accepted(string? mode)
    {
        // RFC 7672 §3.1.1: DANE-EE ignores names; outside enforce no PKIX check is required.
        using var client = new SmtpClient();
        using var leaf = _certs.Issue("other.example.com");
        var sut = MtaStsTlsGuard.Apply(client, Resolution(mode), Mx, _validator, Tlsa(TlsaLookupStatus.Usable, EeRecord(leaf)), _dane);

        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch);

        Assert.True(accepted);
        Assert.True(sut.CertificateResult!.IsValid);
    }

    [Theory]
    [InlineData(DaneStrictness.RequireBoth, false)]
    [InlineData(DaneStrictness.DaneSupersedesPkix, true)]
    public void CallbackDane_DaneMatchesButPkixFailsUnderEnforce_FollowsTheStrictness(DaneStrictness strictness, bool expected)
    {
        using var client = new SmtpClient();
        using var leaf = _certs.Issue("other.example.com");
        var sut = MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, Tlsa(TlsaLookupStatus.Usable, EeRecord(leaf)), _dane, strictness);

        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None);

        Assert.Equal(expected, accepted);
        Assert.Equal(expected ? null : TlsRptResultType.CertificateHostMismatch, sut.CertificateResult!.ResultType);
    }

    [Theory]
    [InlineData("testing")]
    [InlineData(null)]
    public void ApplyDane_UnusableTlsa_StartTlsMandatoryWithoutAuthentication(string? mode)
    {
        // RFC 7672 §3.1.3: PKIX-TA/PKIX-EE records only: TLS stays mandatory, any certificate is accepted.
        using var client = new SmtpClient();
        using var leaf = _certs.Issue("other.example.com");
        var sut = MtaStsTlsGuard.Apply(client, Resolution(mode), Mx, _validator, Tlsa(TlsaLookupStatus.Unusable, new TlsaRecord(1, 1, 1, new byte[32])), _dane);

        var accepted = client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None);

        Assert.True(sut.IsTlsRequired);
        Assert.False(sut.IsDaneAuthenticated);
        Assert.Equal(SecureSocketOptions.StartTls, sut.SecureSocketOptions);
        Assert.True(accepted);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, sut.CertificateResult!.ResultType);
    }

    [Theory]
    [InlineData(DaneStrictness.RequireBoth)]
    [InlineData(DaneStrictness.DaneSupersedesPkix)]
    public void CallbackDane_UnusableTlsaUnderEnforce_PkixStillRequired(DaneStrictness strictness)
    {
        using var client = new SmtpClient();
        using var leaf = _certs.Issue("other.example.com");
        MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, Tlsa(TlsaLookupStatus.Unusable, EeRecord(leaf, usage: 1)), _dane, strictness);

        Assert.False(client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.None));
    }

    [Fact]
    public void ApplyDane_TlsaFoundAtCnameTarget_SniIsTheBaseDomainButTheMtaStsCheckUsesTheMxHost()
    {
        // RFC 7672 §8.1: SNI is the TLSA base domain; RFC 8461 §4.2: the policy's name check is the MX host's.
        const string target = "mx.provider.example.net";
        using var client = new SmtpClient();
        using var leaf = _certs.Issue(Mx);
        var tlsa = new TlsaLookupResult(TlsaLookupStatus.Unusable, Mx, AddressLookupResult.Found([IPAddress.Loopback]), [new TlsaRecord(1, 1, 1, new byte[32])], baseDomain: target, canonicalName: target);

        var sut = MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, tlsa, _dane);

        Assert.Equal(target, sut.ServerName);
        Assert.Equal(Mx, sut.MxHost);
        Assert.True(client.ServerCertificateValidationCallback!(this, leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        using var forTarget = _certs.Issue(target);
        Assert.False(client.ServerCertificateValidationCallback!(this, forTarget, null, SslPolicyErrors.None));
    }

    [Theory]
    [InlineData("enforce")]
    [InlineData("testing")]
    [InlineData("none")]
    [InlineData(null)]
    public void ApplyDane_IndeterminateTlsa_ThrowsAndLeavesTheClientUntouched(string? mode)
    {
        // RFC 7672 §2.1.1: an unanswerable TLSA lookup is never "no DANE": no connection at all, under any policy.
        using var client = new SmtpClient();
        var tlsa = new TlsaLookupResult(TlsaLookupStatus.Indeterminate, Mx, AddressLookupResult.Found([IPAddress.Loopback]), [], error: "servfail");

        var ex = Assert.Throws<MtaStsDeliveryException>(() => MtaStsTlsGuard.Apply(client, Resolution(mode), Mx, _validator, tlsa, _dane));

        Assert.Equal((TlsRptResultType.DnssecInvalid, ReasonCodes.TlsaLookupFailed), (ex.ResultType, ex.ReasonCode));
        Assert.Equal((Mx, "example.com"), (ex.MxHost, ex.PolicyDomain));
        Assert.Contains("servfail", ex.Message, StringComparison.Ordinal);
        Assert.Contains("later", ex.Message, StringComparison.Ordinal);
        Assert.Null(client.ServerCertificateValidationCallback);
    }

    [Theory]
    [InlineData(TlsaLookupStatus.Usable)]
    [InlineData(TlsaLookupStatus.Unusable)]
    public void ThrowIfNotCompliantDane_SecureTlsaButNotSecure_ThrowsUnderTesting(TlsaLookupStatus status)
    {
        using var client = new SmtpClient();
        using var leaf = _certs.Issue(Mx);
        var sut = MtaStsTlsGuard.Apply(client, Resolution("testing"), Mx, _validator, Tlsa(status, EeRecord(leaf, usage: status == TlsaLookupStatus.Usable ? (byte)3 : (byte)1)), _dane);

        var ex = Assert.Throws<MtaStsDeliveryException>(() => sut.ThrowIfNotCompliant(client));

        Assert.Equal(TlsRptResultType.StartTlsNotSupported, ex.ResultType);
        Assert.Contains("TLSA", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TlsaLookupStatus.NotFound)]
    [InlineData(TlsaLookupStatus.Insecure)]
    public void ThrowIfNotCompliantDane_NoDaneUnderTesting_DoesNotThrow(TlsaLookupStatus status)
    {
        using var client = new SmtpClient();
        var sut = MtaStsTlsGuard.Apply(client, Resolution("testing"), Mx, _validator, Tlsa(status), _dane);

        sut.ThrowIfNotCompliant(client);
        Assert.False(sut.IsTlsRequired);
    }

    [Fact]
    public void ApplyDane_InvalidArguments_Throw()
    {
        using var client = new SmtpClient();
        var tlsa = Tlsa(TlsaLookupStatus.NotFound);

        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(null!, Resolution("enforce"), Mx, _validator, tlsa, _dane));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, null!, Mx, _validator, tlsa, _dane));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), null!, _validator, tlsa, _dane));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, null!, tlsa, _dane));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, null!, _dane));
        Assert.Throws<ArgumentNullException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, tlsa, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, tlsa, _dane, (DaneStrictness)7));
        var undefined = new TlsaLookupResult((TlsaLookupStatus)42, Mx, AddressLookupResult.NotFound, []);
        Assert.Throws<ArgumentOutOfRangeException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, undefined, _dane));

        // The TLSA lookup of another host must not decide this one.
        var other = new TlsaLookupResult(TlsaLookupStatus.NotFound, "mx2.example.com", AddressLookupResult.NotFound, []);
        Assert.Throws<ArgumentException>(() => MtaStsTlsGuard.Apply(client, Resolution("enforce"), Mx, _validator, other, _dane));
        Assert.Null(client.ServerCertificateValidationCallback);

        // A trailing dot and another case name the same host.
        Assert.False(MtaStsTlsGuard.Apply(client, Resolution("testing"), "MX1.Example.com.", _validator, tlsa, _dane).IsTlsRequired);
    }

    private static TlsaRecord EeRecord(X509Certificate2 certificate, byte usage = 3) =>
        new(usage, 1, 1, SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    private static TlsaLookupResult Tlsa(TlsaLookupStatus status, params TlsaRecord[] records) =>
        new(status, Mx, AddressLookupResult.Found([IPAddress.Loopback]), records);

    private static PolicyResolution Resolution(string? mode) => mode is null
        ? new PolicyResolution("example.com", PolicyResolutionStatus.NoPolicy)
        : new PolicyResolution(
            "example.com",
            PolicyResolutionStatus.Cached,
            MtaStsPolicy.Parse($"version: STSv1\nmode: {mode}\nmax_age: 86400\nmx: {Mx}\n"),
            "id1");
}
