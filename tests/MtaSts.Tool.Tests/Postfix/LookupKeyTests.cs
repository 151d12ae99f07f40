using System.Text;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class LookupKeyTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Example.COM.", "example.com")]
    [InlineData("[example.com]", "example.com")]
    [InlineData("[example.com]:25", "example.com")]
    [InlineData("example.com:587", "example.com")]
    [InlineData(" example.com\t", "example.com")]
    [InlineData("mail.sub.example.com", "mail.sub.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("[BÜCHER.example]:25", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    public void Get_PolicyDomainKeys_NormalForm(string key, string expected) =>
        Assert.Equal(expected, new DomainTable().Get(Encoding.UTF8.GetBytes(key)).PolicyDomain);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData(".example.com")]
    [InlineData("[.example.com]")]
    [InlineData("192.0.2.1")]
    [InlineData("[192.0.2.1]")]
    [InlineData("[192.0.2.1]:25")]
    [InlineData("[ipv6:2001:db8::1]")]
    [InlineData("[::1]")]
    [InlineData("2001:db8::1")]
    [InlineData("example.com:")]
    [InlineData("example.com:smtp")]
    [InlineData("example.com:1234567")]
    [InlineData("[example.com")]
    [InlineData("[example.com]x")]
    [InlineData("localhost")]
    [InlineData("exa mple.com")]
    [InlineData("under_score.example")]
    [InlineData("*.example.com")]
    [InlineData("a..b.example")]
    [InlineData("-bad.example")]
    public void Get_KeysThatAreNotPolicyDomains_HaveNone(string key) =>
        Assert.Null(new DomainTable().Get(Encoding.UTF8.GetBytes(key)).PolicyDomain);

    [Fact]
    public void Get_InvalidUtf8_HasNone() =>
        Assert.Null(new DomainTable().Get([0x65, 0xC3, 0x28, 0x2E, 0x63, 0x6F, 0x6D]).PolicyDomain);

    [Fact]
    public void Get_KeyLongerThanAnyDomain_HasNone() =>
        Assert.Null(new DomainTable().Get(Encoding.ASCII.GetBytes(new string('a', 400) + ".com")).PolicyDomain);

    [Fact]
    public void Get_SameKeyInAnotherForm_SameEntry()
    {
        var table = new DomainTable();

        var first = table.Get("example.com"u8);

        Assert.Same(first, table.Get("[EXAMPLE.com]:25"u8));
        Assert.Same(first, table.Get("example.com."u8));
    }

    [Fact]
    public void Get_MoreKeysThanTheCapacity_StartsAgainAndStaysCorrect()
    {
        var table = new DomainTable(capacity: 10);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal($"d{i}.example", table.Get(Encoding.ASCII.GetBytes($"D{i}.example")).PolicyDomain);
        }

        Assert.Equal("d1.example", table.Get("d1.example"u8).PolicyDomain);
    }
}
