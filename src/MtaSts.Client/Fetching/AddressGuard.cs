using System.Net;
using System.Net.Sockets;

namespace MtaSts;

/// <summary>
/// Decision 21: the policy host must not resolve to an address that points back into the sender's own network.
/// A hostile domain could otherwise make the sender fetch from its loopback interface, a cloud metadata service
/// (169.254.169.254) or the intranet.
/// </summary>
/// <remarks>
/// The rules are one table, <see cref="Ranges"/>, row for row the IANA IPv4 and IPv6 Special-Purpose Address Registries
/// (RFC 6890 and the RFCs each row names) plus the multicast blocks. A row whose registry entry is not globally
/// reachable refuses; a row that is globally reachable (an anycast service inside a refused block) allows; the most
/// specific row containing an address decides. Forms of IPv6 that carry an IPv4 address a gateway may forward to are
/// judged by that IPv4 address.
/// </remarks>
internal static class AddressGuard
{
    /// <summary>
    /// The special-purpose ranges. Reviewers: compare with https://www.iana.org/assignments/iana-ipv4-special-registry
    /// and https://www.iana.org/assignments/iana-ipv6-special-registry; every row has a test in AddressGuardTests.
    /// </summary>
    internal static readonly SpecialRange[] Ranges =
    [
        // IANA IPv4 Special-Purpose Address Registry.
        new("0.0.0.0/8", "unspecified", "\"This network\"", "RFC 791 §3.2"),
        new("10.0.0.0/8", "private", "Private-Use", "RFC 1918"),
        new("100.64.0.0/10", "private", "Shared Address Space (carrier-grade NAT)", "RFC 6598"),
        new("127.0.0.0/8", "loopback", "Loopback", "RFC 1122 §3.2.1.3"),
        new("169.254.0.0/16", "link-local", "Link Local", "RFC 3927"),
        new("172.16.0.0/12", "private", "Private-Use", "RFC 1918"),
        new("192.0.0.0/24", "reserved", "IETF Protocol Assignments", "RFC 6890 §2.1"),
        new("192.0.0.0/29", "reserved", "IPv4 Service Continuity Prefix", "RFC 7335"),
        new("192.0.0.8/32", "reserved", "IPv4 dummy address", "RFC 7600"),
        new("192.0.0.9/32", null, "Port Control Protocol Anycast", "RFC 7723"),
        new("192.0.0.10/32", null, "Traversal Using Relays around NAT Anycast", "RFC 8155"),
        new("192.0.0.170/32", "reserved", "NAT64/DNS64 Discovery", "RFC 8880"),
        new("192.0.0.171/32", "reserved", "NAT64/DNS64 Discovery", "RFC 8880"),
        new("192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "RFC 5737"),
        new("192.31.196.0/24", null, "AS112-v4", "RFC 7535"),
        new("192.52.193.0/24", null, "AMT", "RFC 7450"),
        new("192.88.99.0/24", "reserved", "Deprecated (6to4 Relay Anycast)", "RFC 7526"),
        new("192.168.0.0/16", "private", "Private-Use", "RFC 1918"),
        new("192.175.48.0/24", null, "Direct Delegation AS112 Service", "RFC 7534"),
        new("198.18.0.0/15", "benchmarking", "Benchmarking", "RFC 2544"),
        new("198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "RFC 5737"),
        new("203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "RFC 5737"),
        new("240.0.0.0/4", "reserved", "Reserved", "RFC 1112 §4"),
        new("255.255.255.255/32", "reserved", "Limited Broadcast", "RFC 919 §7"),

        // IPv4 multicast (IANA IPv4 Multicast Address Space Registry).
        new("224.0.0.0/4", "multicast", "Multicast", "RFC 5771"),

        // IANA IPv6 Special-Purpose Address Registry.
        new("::1/128", "loopback", "Loopback Address", "RFC 4291 §2.5.3"),
        new("::/128", "unspecified", "Unspecified Address", "RFC 4291 §2.5.2"),
        new("::ffff:0:0/96", Embedding.Last32Bits, "IPv4-mapped Address", "RFC 4291 §2.5.5.2"),
        new("64:ff9b::/96", Embedding.Last32Bits, "IPv4-IPv6 Translation", "RFC 6052"),
        new("64:ff9b:1::/48", "private", "IPv4-IPv6 Translation (local use)", "RFC 8215"),
        new("100::/64", "reserved", "Discard-Only Address Block", "RFC 6666"),
        new("100:0:0:1::/64", "reserved", "Dummy IPv6 Prefix", "RFC 9780"),
        new("2001::/23", "reserved", "IETF Protocol Assignments", "RFC 2928"),
        new("2001::/32", "reserved", "TEREDO", "RFC 4380"),
        new("2001:1::1/128", null, "Port Control Protocol Anycast", "RFC 7723"),
        new("2001:1::2/128", null, "Traversal Using Relays around NAT Anycast", "RFC 8155"),
        new("2001:1::3/128", null, "DNS-SD Service Registration Protocol Anycast", "RFC 9665"),
        new("2001:2::/48", "benchmarking", "Benchmarking", "RFC 5180"),
        new("2001:3::/32", null, "AMT", "RFC 7450"),
        new("2001:4:112::/48", null, "AS112-v6", "RFC 7535"),
        new("2001:10::/28", "reserved", "Deprecated (previously ORCHID)", "RFC 4843"),
        new("2001:20::/28", null, "ORCHIDv2", "RFC 7343"),
        new("2001:30::/28", null, "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374"),
        new("2001:db8::/32", "documentation", "Documentation", "RFC 3849"),
        new("2002::/16", Embedding.SixToFour, "6to4", "RFC 3056"),
        new("2620:4f:8000::/48", null, "Direct Delegation AS112 Service", "RFC 7534"),
        new("3fff::/20", "documentation", "Documentation", "RFC 9637"),
        new("5f00::/16", "reserved", "Segment Routing (SRv6) SIDs", "RFC 9602"),
        new("fc00::/7", "private", "Unique-Local", "RFC 4193"),
        new("fe80::/10", "link-local", "Link-Local Unicast", "RFC 4291 §2.5.6"),

        // Outside the registry: multicast, the deprecated site-local block, and the deprecated IPv4-compatible form
        // (::a.b.c.d), refused even when the IPv4 address inside is public.
        new("ff00::/8", "multicast", "Multicast", "RFC 4291 §2.7"),
        new("fec0::/10", "private", "Site-Local (deprecated)", "RFC 3879"),
        new("::/96", Embedding.Last32Bits, "IPv4-Compatible (deprecated)", "RFC 4291 §2.5.5.1", fallback: "reserved"),
    ];

    /// <summary>How an IPv6 range carries an IPv4 address.</summary>
    internal enum Embedding
    {
        /// <summary>No IPv4 address inside.</summary>
        None,

        /// <summary>The IPv4 address is the last 32 bits (IPv4-mapped, IPv4-compatible, NAT64 well-known prefix).</summary>
        Last32Bits,

        /// <summary>The IPv4 address follows the 16-bit 6to4 prefix.</summary>
        SixToFour,
    }

    /// <summary>Returns why <paramref name="address"/> is refused, or <see langword="null"/> when it is a public unicast address.</summary>
    public static string? GetRefusalReason(IPAddress address)
    {
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return "unsupported-address-family";
        }

        var row = MostSpecific(address);
        if (row is null)
        {
            return null;
        }

        if (row.Embedding == Embedding.None)
        {
            return row.Reason;
        }

        // IPv6 forms that carry an IPv4 address a gateway may forward to are judged by the IPv4 address inside.
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var inner = new IPAddress(row.Embedding == Embedding.SixToFour ? bytes[2..6] : bytes[12..]);
        return GetRefusalReason(inner) ?? row.Reason;
    }

    /// <summary>The most specific row containing <paramref name="address"/>, or <see langword="null"/>.</summary>
    internal static SpecialRange? MostSpecific(IPAddress address)
    {
        SpecialRange? best = null;
        foreach (var row in Ranges)
        {
            if (Contains(row.Network, address) && (best is null || row.Network.PrefixLength > best.Network.PrefixLength))
            {
                best = row;
            }
        }

        return best;
    }

    /// <summary>
    /// Whether <paramref name="network"/> contains <paramref name="address"/>, comparing the prefix bits as written.
    /// <see cref="IPNetwork.Contains"/> is not used: it never matches an IPv4-mapped address against an IPv6 prefix.
    /// </summary>
    private static bool Contains(IPNetwork network, IPAddress address)
    {
        if (network.BaseAddress.AddressFamily != address.AddressFamily)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[16];
        Span<byte> bytes = stackalloc byte[16];
        network.BaseAddress.TryWriteBytes(prefix, out var length);
        address.TryWriteBytes(bytes, out _);
        var whole = network.PrefixLength / 8;
        var rest = network.PrefixLength % 8;
        if (!bytes[..whole].SequenceEqual(prefix[..whole]))
        {
            return false;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return rest == 0 || whole >= length || (bytes[whole] & mask) == (prefix[whole] & mask);
    }

    /// <summary>One row of the table.</summary>
    internal sealed class SpecialRange
    {
        /// <summary>A range the registry marks globally reachable (<paramref name="reason"/> <see langword="null"/>) or not.</summary>
        public SpecialRange(string prefix, string? reason, string name, string reference)
        {
            Network = IPNetwork.Parse(prefix);
            Reason = reason;
            Name = name;
            Reference = reference;
        }

        /// <summary>A range that carries an IPv4 address, judged by it; <paramref name="fallback"/> when that address is public.</summary>
        public SpecialRange(string prefix, Embedding embedding, string name, string reference, string? fallback = null)
            : this(prefix, fallback, name, reference) => Embedding = embedding;

        public IPNetwork Network { get; }

        /// <summary>Gets the reason code when the range is refused; <see langword="null"/> when it is globally reachable.</summary>
        public string? Reason { get; }

        public string Name { get; }

        public string Reference { get; }

        public Embedding Embedding { get; }

        public override string ToString() => $"{Network} {Name} ({Reference}): {Reason ?? (Embedding == Embedding.None ? "allowed" : "judged by the IPv4 address inside")}";
    }
}
