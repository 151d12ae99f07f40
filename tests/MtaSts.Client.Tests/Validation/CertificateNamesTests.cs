namespace MtaSts.Tests.Validation;

/// <summary>RFC 6125 DNS-ID matching as RFC 8461 §3.3/§4.2 and checklist F.4–F.6 require it.</summary>
public sealed class CertificateNamesTests
{
    [Theory]
    [InlineData("mta-sts.example.com", "mta-sts.example.com")]
    [InlineData("MTA-STS.Example.COM", "mta-sts.example.com")]
    [InlineData("mta-sts.example.com.", "mta-sts.example.com")]
    [InlineData("*.example.com", "mta-sts.example.com")]
    [InlineData("*.EXAMPLE.com", "MX1.example.COM")]
    public void Matches_AllowedName_Matches(string presented, string host)
    {
        Assert.True(CertificateNames.Matches(presented, host));
    }

    [Theory]
    [InlineData("example.com", "mta-sts.example.com")]
    [InlineData("mta*.example.com", "mta-sts.example.com")]
    [InlineData("*.mta-sts.example.com", "mta-sts.example.com")]
    [InlineData("*.example.com", "example.com")]
    [InlineData("*.example.com", "a.b.example.com")]
    [InlineData("*.*.example.com", "a.b.example.com")]
    [InlineData("a.*.example.com", "a.b.example.com")]
    [InlineData("*", "localhost")]
    [InlineData("*.com", "example.com")]
    [InlineData("xn--*.example.com", "xn--bcher-kva.example.com")]
    [InlineData("", "mta-sts.example.com")]
    [InlineData("mta-sts.example.com", "")]
    [InlineData("*.example.com", ".example.com")]
    public void Matches_DisallowedName_DoesNotMatch(string presented, string host)
    {
        Assert.False(CertificateNames.Matches(presented, host));
    }
}
