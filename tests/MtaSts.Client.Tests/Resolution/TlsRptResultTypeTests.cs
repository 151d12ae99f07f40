namespace MtaSts.Tests.Resolution;

public sealed class TlsRptResultTypeTests
{
    [Theory]
    [InlineData(TlsRptResultType.StartTlsNotSupported, "starttls-not-supported")]
    [InlineData(TlsRptResultType.CertificateHostMismatch, "certificate-host-mismatch")]
    [InlineData(TlsRptResultType.CertificateExpired, "certificate-expired")]
    [InlineData(TlsRptResultType.CertificateNotTrusted, "certificate-not-trusted")]
    [InlineData(TlsRptResultType.ValidationFailure, "validation-failure")]
    [InlineData(TlsRptResultType.TlsaInvalid, "tlsa-invalid")]
    [InlineData(TlsRptResultType.DnssecInvalid, "dnssec-invalid")]
    [InlineData(TlsRptResultType.DaneRequired, "dane-required")]
    [InlineData(TlsRptResultType.StsPolicyFetchError, "sts-policy-fetch-error")]
    [InlineData(TlsRptResultType.StsPolicyInvalid, "sts-policy-invalid")]
    [InlineData(TlsRptResultType.StsWebPkiInvalid, "sts-webpki-invalid")]
    public void ToResultTypeString_EachValue_IsTheRfc8460Spelling(TlsRptResultType type, string expected)
    {
        Assert.Equal(expected, type.ToResultTypeString());
    }

    [Fact]
    public void ToResultTypeString_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((TlsRptResultType)99).ToResultTypeString());
    }
}
