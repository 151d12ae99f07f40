using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// Where the server listens, written as in Postfix's own map names: <c>inet:HOST:PORT</c> (an IPv4 address, an IPv6
/// address in brackets, or <c>localhost</c>) or <c>unix:PATH</c> (an absolute path), so that <c>main.cf</c> says
/// <c>socketmap:inet:127.0.0.1:8461:postfix</c> for <c>inet:127.0.0.1:8461</c>.
/// </summary>
internal sealed class ListenEndpoint
{
    private ListenEndpoint(string text, EndPoint endPoint)
    {
        Text = text;
        EndPoint = endPoint;
    }

    /// <summary>Gets the endpoint as configured.</summary>
    public string Text { get; }

    public EndPoint EndPoint { get; }

    /// <summary>Gets the socket file of a <c>unix:</c> endpoint, or <see langword="null"/>.</summary>
    public string? UnixPath => EndPoint is UnixDomainSocketEndPoint ? Text["unix:".Length..] : null;

    public static bool TryParse(string? text, [NotNullWhen(true)] out ListenEndpoint? endpoint, out string problem)
    {
        endpoint = null;
        problem = "is not inet:HOST:PORT or unix:PATH";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = text["unix:".Length..];
            if (!Path.IsPathFullyQualified(path) || path.EndsWith('/'))
            {
                problem = "needs an absolute socket file path (unix:/run/mta-sts/socketmap.sock)";
                return false;
            }

            endpoint = new ListenEndpoint(text, new UnixDomainSocketEndPoint(path));
            return true;
        }

        if (!text.StartsWith("inet:", StringComparison.Ordinal))
        {
            return false;
        }

        var hostPort = text["inet:".Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            problem = "needs a port 1-65535 (inet:HOST:PORT)";
            return false;
        }

        var host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        IPAddress? address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : null;
        if (address is null)
        {
            problem = "needs an IP address or localhost as HOST (inet:127.0.0.1:8461, inet:[::1]:8461)";
            return false;
        }

        endpoint = new ListenEndpoint(text, new IPEndPoint(address, port));
        return true;
    }

    public override string ToString() => Text;
}
