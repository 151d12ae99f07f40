using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// Finds loopback ports that are currently free. A port is handed out at most once per process, so two fixtures of
/// the same test run never race for the same number; another process can still grab it between the probe and the
/// bind, so callers that start external processes must verify the bind and retry.
/// </summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>Returns a port that is free on 127.0.0.1 for TCP.</summary>
    public static int GetTcpPort() => Get(requireUdp: false);

    /// <summary>Returns a port that is free on 127.0.0.1 for both UDP and TCP (a DNS server needs both).</summary>
    public static int GetUdpAndTcpPort() => Get(requireUdp: true);

    private static int Get(bool requireUdp)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            if (requireUdp && !IsUdpPortFree(port))
            {
                continue;
            }

            if (HandedOut.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free loopback port.");
    }

    private static bool IsUdpPortFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
