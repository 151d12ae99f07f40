using System.Net;

namespace MtaSts.Tests.Fetching;

/// <summary>
/// Decision 21: every row of the special-purpose table, an address inside it and the verdict the IANA registries call
/// for, written out by hand (not derived from the table), plus public addresses the guard lets through.
/// </summary>
public sealed class AddressGuardTests
{
    /// <summary>(address, expected reason or null when allowed, the table row that decides).</summary>
    public static TheoryData<string, string?, string> RegistryRows => new()
    {
        // IPv4 Special-Purpose Address Registry.
        { "0.0.0.0", "unspecified", "0.0.0.0/8" },
        { "0.255.255.255", "unspecified", "0.0.0.0/8" },
        { "10.0.0.1", "private", "10.0.0.0/8" },
        { "10.255.255.255", "private", "10.0.0.0/8" },
        { "100.64.0.1", "private", "100.64.0.0/10" },
        { "100.127.255.255", "private", "100.64.0.0/10" },
        { "127.0.0.1", "loopback", "127.0.0.0/8" },
        { "127.5.6.7", "loopback", "127.0.0.0/8" },
        { "169.254.169.254", "link-local", "169.254.0.0/16" },
        { "172.16.0.1", "private", "172.16.0.0/12" },
        { "172.31.255.254", "private", "172.16.0.0/12" },
        { "192.0.0.100", "reserved", "192.0.0.0/24" },
        { "192.0.0.1", "reserved", "192.0.0.0/29" },
        { "192.0.0.8", "reserved", "192.0.0.8/32" },
        { "192.0.0.9", null, "192.0.0.9/32" },
        { "192.0.0.10", null, "192.0.0.10/32" },
        { "192.0.0.170", "reserved", "192.0.0.170/32" },
        { "192.0.0.171", "reserved", "192.0.0.171/32" },
        { "192.0.2.1", "documentation", "192.0.2.0/24" },
        { "192.31.196.1", null, "192.31.196.0/24" },
        { "192.52.193.1", null, "192.52.193.0/24" },
        { "192.88.99.1", "reserved", "192.88.99.0/24" },
        { "192.168.1.1", "private", "192.168.0.0/16" },
        { "192.175.48.1", null, "192.175.48.0/24" },
        { "198.18.0.1", "benchmarking", "198.18.0.0/15" },
        { "198.19.255.254", "benchmarking", "198.18.0.0/15" },
        { "198.51.100.1", "documentation", "198.51.100.0/24" },
        { "203.0.113.1", "documentation", "203.0.113.0/24" },
        { "240.0.0.1", "reserved", "240.0.0.0/4" },
        { "255.255.255.254", "reserved", "240.0.0.0/4" },
        { "255.255.255.255", "reserved", "255.255.255.255/32" },
        { "224.0.0.1", "multicast", "224.0.0.0/4" },
        { "239.255.255.250", "multicast", "224.0.0.0/4" },

        // IPv6 Special-Purpose Address Registry.
        { "::1", "loopback", "::1/128" },
        { "::", "unspecified", "::/128" },
        { "::ffff:10.0.0.1", "private", "::ffff:0:0/96" },
        { "::ffff:127.0.0.1", "loopback", "::ffff:0:0/96" },
        { "::ffff:169.254.169.254", "link-local", "::ffff:0:0/96" },
        { "::ffff:198.18.0.1", "benchmarking", "::ffff:0:0/96" },
        { "::ffff:93.184.216.34", null, "::ffff:0:0/96" },
        { "64:ff9b::10.0.0.1", "private", "64:ff9b::/96" },
        { "64:ff9b::a9fe:a9fe", "link-local", "64:ff9b::/96" },
        { "64:ff9b::5db8:d822", null, "64:ff9b::/96" },
        { "64:ff9b:1::5db8:d822", "private", "64:ff9b:1::/48" },
        { "100::1", "reserved", "100::/64" },
        { "100:0:0:1::1", "reserved", "100:0:0:1::/64" },
        { "2001:0:5db8:d822::1", "reserved", "2001::/32" },
        { "2001:100::1", "reserved", "2001::/23" },
        { "2001:1::1", null, "2001:1::1/128" },
        { "2001:1::2", null, "2001:1::2/128" },
        { "2001:1::3", null, "2001:1::3/128" },
        { "2001:1::4", "reserved", "2001::/23" },
        { "2001:2::1", "benchmarking", "2001:2::/48" },
        { "2001:3::1", null, "2001:3::/32" },
        { "2001:4:112::1", null, "2001:4:112::/48" },
        { "2001:10::1", "reserved", "2001:10::/28" },
        { "2001:20::1", null, "2001:20::/28" },
        { "2001:30::1", null, "2001:30::/28" },
        { "2001:db8::1", "documentation", "2001:db8::/32" },
        { "2002:7f00:1::1", "loopback", "2002::/16" },
        { "2002:c0a8:101::1", "private", "2002::/16" },
        { "2002:c612:1::1", "benchmarking", "2002::/16" },
        { "2002:5db8:d822::1", null, "2002::/16" },
        { "2620:4f:8000::1", null, "2620:4f:8000::/48" },
        { "3fff::1", "documentation", "3fff::/20" },
        { "5f00::1", "reserved", "5f00::/16" },
        { "fc00::1", "private", "fc00::/7" },
        { "fd12:3456::1", "private", "fc00::/7" },
        { "fe80::1", "link-local", "fe80::/10" },

        // Outside the registry.
        { "ff02::1", "multicast", "ff00::/8" },
        { "fec0::1", "private", "fec0::/10" },
        { "::10.0.0.1", "private", "::/96" },
        { "::127.0.0.1", "loopback", "::/96" },
        { "::93.184.216.34", "reserved", "::/96" },
    };

    [Theory]
    [MemberData(nameof(RegistryRows))]
    public void GetRefusalReason_SpecialPurposeAddress_FollowsItsRegistryRow(string address, string? expected, string row)
    {
        var ip = IPAddress.Parse(address);

        Assert.Equal(expected, AddressGuard.GetRefusalReason(ip));
        Assert.Equal(IPNetwork.Parse(row), AddressGuard.MostSpecific(ip)?.Network);
    }

    [Fact]
    public void Ranges_EveryRowHasAnAddressInTheTest()
    {
        var tested = RegistryRows.Select(r => IPNetwork.Parse((string)r[2])).ToHashSet();

        var untested = AddressGuard.Ranges.Where(r => !tested.Contains(r.Network)).Select(r => r.ToString()).ToList();

        Assert.Empty(untested);
    }

    [Fact]
    public void Ranges_NoPrefixIsListedTwice()
    {
        var duplicates = AddressGuard.Ranges.GroupBy(r => r.Network).Where(g => g.Count() > 1).Select(g => g.Key.ToString()).ToList();

        Assert.Empty(duplicates);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("169.253.1.1")]
    [InlineData("192.0.1.1")]
    [InlineData("192.0.3.1")]
    [InlineData("192.169.0.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("2001:200::1")]
    [InlineData("2001:db9::1")]
    [InlineData("2a00:1450:4001::1")]
    public void GetRefusalReason_PublicAddress_IsAllowed(string address)
    {
        Assert.Null(AddressGuard.GetRefusalReason(IPAddress.Parse(address)));
    }
}
