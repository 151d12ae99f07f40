using System.Net;
using System.Net.Sockets;

namespace MtaSts;

/// <summary>
/// Decision 21: the policy host must not resolve to an address that points back into the sender's own network.
/// A hostile domain could otherwise make the sender fetch from its loopback interface, a cloud metadata service
/// (169.254.169.254) or the intranet.
/// </summary>
internal static class AddressGuard
{
    /// <summary>Returns why <paramref name="address"/> is refused, or <see langword="null"/> when it is a public unicast address.</summary>
    public static string? GetRefusalReason(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] switch
            {
                0 => "unspecified",
                10 => "private",
                127 => "loopback",
                100 when (b[1] & 0xC0) == 64 => "private", // 100.64.0.0/10, carrier-grade NAT
                169 when b[1] == 254 => "link-local",
                172 when (b[1] & 0xF0) == 16 => "private",
                192 when b[1] == 168 => "private",
                >= 224 and <= 239 => "multicast",
                >= 240 => "reserved",
                _ => null,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
            {
                return "unspecified";
            }

            if (IPAddress.IsLoopback(address))
            {
                return "loopback";
            }

            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);

            // IPv6 forms that carry an IPv4 address a gateway may forward to: IPv4-compatible (::a.b.c.d, deprecated),
            // NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, RFC 3056). They are judged by the IPv4 inside.
            if (b[..12].IndexOfAnyExcept((byte)0) < 0)
            {
                return GetRefusalReason(new IPAddress(b[12..])) ?? "reserved";
            }

            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].IndexOfAnyExcept((byte)0) < 0)
            {
                return GetRefusalReason(new IPAddress(b[12..]));
            }

            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return GetRefusalReason(new IPAddress(b[2..6]));
            }

            return b[0] switch
            {
                0xFF => "multicast",
                0xFE when (b[1] & 0xC0) == 0x80 => "link-local",
                0xFE when (b[1] & 0xC0) == 0xC0 => "private", // deprecated site-local fec0::/10
                0xFC or 0xFD => "private", // unique local fc00::/7
                _ => null,
            };
        }

        return "unsupported-address-family";
    }
}
