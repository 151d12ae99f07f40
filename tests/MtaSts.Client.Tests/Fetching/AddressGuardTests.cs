using System.Net;

namespace MtaSts.Tests.Fetching;

/// <summary>Decision 21: every range the SSRF guard refuses, and public addresses it lets through.</summary>
public sealed class AddressGuardTests
{
    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.5.6.7", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fec0::1", "private")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("::93.184.216.34", "reserved")]
    [InlineData("64:ff9b::10.0.0.1", "private")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("2002:7f00:1::1", "loopback")]
    [InlineData("2002:c0a8:101::1", "private")]
    public void GetRefusalReason_RefusedRange_NamesTheRange(string address, string expected)
    {
        Assert.Equal(expected, AddressGuard.GetRefusalReason(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("169.253.1.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::5db8:d822")]
    [InlineData("2002:5db8:d822::1")]
    public void GetRefusalReason_PublicAddress_IsAllowed(string address)
    {
        Assert.Null(AddressGuard.GetRefusalReason(IPAddress.Parse(address)));
    }
}
