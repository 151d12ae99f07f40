using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Cli;

/// <summary>The options every command accepts (recursive on the root command), and their checks.</summary>
internal static class SharedOptions
{
    public const double DefaultTimeoutSeconds = 30;

    public static readonly Option<string[]> DnsServer = new("--dns-server")
    {
        Description = "DNS server to ask, instead of the system's resolvers (repeatable).",
        HelpName = "HOST[:PORT]",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<string[]> TrustRoot = new("--trust-root")
    {
        Description = "Trust only the root certificates in this PEM file, for the policy host and MX hosts (repeatable).",
        HelpName = "PEM",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static readonly Option<bool> AllowPrivateAddresses = new("--allow-private-addresses")
    {
        Description = "Let the policy host resolve to private, loopback or link-local addresses (off: the SSRF guard refuses them).",
        Recursive = true,
    };

    public static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Seconds allowed for each DNS query, the policy fetch (retries included) and each SMTP connection and reply.",
        HelpName = "SECONDS",
        Recursive = true,
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
    };

    public static readonly Option<int> SmtpPort = new("--smtp-port")
    {
        Description = "TCP port of the MX hosts' SMTP service.",
        HelpName = "N",
        Recursive = true,
        DefaultValueFactory = _ => 25,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write one JSON document to standard output (the schema is in docs/cli.md).",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show stack traces of unexpected errors.",
        Recursive = true,
    };

    public static readonly Option<bool> NoColor = new("--no-color")
    {
        Description = "No colours or styles on a terminal (NO_COLOR is honoured too).",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [DnsServer, TrustRoot, AllowPrivateAddresses, Timeout, SmtpPort, Json, Verbose, NoColor];

    /// <summary>Reads and checks the shared options.</summary>
    /// <exception cref="ToolException">An option has a bad value (exit 2).</exception>
    public static ToolSettings Bind(ParseResult result)
    {
        var timeout = result.GetValue(Timeout);
        if (!(timeout > 0 && timeout <= 3600))
        {
            throw ToolException.Usage($"--timeout: {timeout.ToString(CultureInfo.InvariantCulture)} is not a number of seconds between 0 and 3600.");
        }

        var port = result.GetValue(SmtpPort);
        if (port is < 1 or > 65535)
        {
            throw ToolException.Usage($"--smtp-port: {port.ToString(CultureInfo.InvariantCulture)} is not a TCP port (1-65535).");
        }

        return new ToolSettings
        {
            NameServers = [.. (result.GetValue(DnsServer) ?? []).Select(ParseNameServer)],
            TrustRoots = LoadTrustRoots(result.GetValue(TrustRoot) ?? []),
            AllowPrivateAddresses = result.GetValue(AllowPrivateAddresses),
            Timeout = TimeSpan.FromSeconds(timeout),
            SmtpPort = port,
            Json = result.GetValue(Json),
            Verbose = result.GetValue(Verbose),
            NoColor = result.GetValue(NoColor),
        };
    }

    /// <summary>Parses <c>HOST[:PORT]</c>: an IPv4 address, an IPv6 address (in brackets when a port follows) or a host name.</summary>
    internal static IPEndPoint ParseNameServer(string value)
    {
        if (IPEndPoint.TryParse(value, out var endPoint))
        {
            return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint;
        }

        var colon = value.LastIndexOf(':');
        var host = colon > 0 ? value[..colon] : value;
        var port = 53;
        if (colon > 0 && (!int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw ToolException.Usage($"--dns-server: '{value}' has no valid port (HOST[:PORT], port 1-65535).");
        }

        if (host.Length == 0 || host.Contains(':', StringComparison.Ordinal) || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw ToolException.Usage($"--dns-server: '{value}' is not an IP address or host name (HOST[:PORT]).");
        }

        try
        {
            return new IPEndPoint(System.Net.Dns.GetHostAddresses(host)[0], port);
        }
        catch (Exception ex) when (ex is SocketException or IndexOutOfRangeException or ArgumentException)
        {
            throw ToolException.Usage($"--dns-server: the host name '{host}' could not be resolved.", ex);
        }
    }

    private static X509Certificate2Collection LoadTrustRoots(string[] paths)
    {
        var roots = new X509Certificate2Collection();
        foreach (var path in paths)
        {
            var before = roots.Count;
            try
            {
                roots.ImportFromPemFile(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw ToolException.Usage($"--trust-root: cannot read certificates from '{path}': {ex.Message}", ex);
            }

            if (roots.Count == before)
            {
                throw ToolException.Usage($"--trust-root: '{path}' holds no PEM certificate.");
            }
        }

        return roots;
    }
}
