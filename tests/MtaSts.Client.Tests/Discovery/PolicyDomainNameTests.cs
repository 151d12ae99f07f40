namespace MtaSts.Tests.Discovery;

public sealed class PolicyDomainNameTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("EXAMPLE.Com", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("  mail.example.com ", "mail.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example.", "xn--bcher-kva.example")]
    public void Normalize_DomainForms_ReturnsALabelLowerCaseWithoutDot(string input, string expected)
    {
        Assert.Equal(expected, PolicyDomainName.Normalize(input, "d"));
    }

    [Fact]
    public void Normalize_AlreadyNormal_ReturnsTheSameInstance()
    {
        const string domain = "example.com";

        Assert.Same(domain, PolicyDomainName.Normalize(domain, "d"));
        Assert.True(PolicyDomainName.LooksNormalized(domain));
    }

    [Theory]
    [InlineData("Example.com")]
    [InlineData("example.com.")]
    [InlineData("bücher.example")]
    [InlineData("")]
    public void LooksNormalized_NotNormal_IsFalse(string domain)
    {
        Assert.False(PolicyDomainName.LooksNormalized(domain));
    }

    [Theory]
    [InlineData("[192.0.2.1]", "address literal")]
    [InlineData("192.0.2.1", "address literal")]
    [InlineData("::1", "address literal")]
    [InlineData("", "empty")]
    [InlineData(".", "empty")]
    [InlineData("com", "not a domain name")]
    [InlineData("exa_mple.com", "not a domain name")]
    [InlineData("a..b", "not a domain name")]
    public void Normalize_NotADomain_ThrowsWithClearMessage(string input, string expectedFragment)
    {
        var ex = Assert.Throws<ArgumentException>(() => PolicyDomainName.Normalize(input, "policyDomain"));

        Assert.Contains(expectedFragment, ex.Message, StringComparison.Ordinal);
        Assert.Equal("policyDomain", ex.ParamName);
    }
}
