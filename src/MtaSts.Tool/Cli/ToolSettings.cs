using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Cli;

/// <summary>The shared options, parsed and checked.</summary>
internal sealed class ToolSettings
{
    public required IReadOnlyList<IPEndPoint> NameServers { get; init; }

    public required X509Certificate2Collection TrustRoots { get; init; }

    public bool AllowPrivateAddresses { get; init; }

    public TimeSpan Timeout { get; init; }

    public int SmtpPort { get; init; }

    public bool Json { get; init; }

    public bool Verbose { get; init; }

    public bool NoColor { get; init; }

    /// <summary>Applies the settings to the library's options: the same for the resolver and the inspector.</summary>
    public void Configure(MtaStsOptions options)
    {
        foreach (var server in NameServers)
        {
            options.NameServers.Add(server);
        }

        options.TrustRoots.AddRange(TrustRoots);
        options.AllowPrivateAddresses = AllowPrivateAddresses;
        options.DnsTimeout = Timeout;
        options.FetchTimeout = Timeout;
    }

    /// <summary>The name servers as the user would write them, for messages.</summary>
    public string DescribeNameServers() =>
        NameServers.Count == 0 ? "the system's resolvers" : string.Join(", ", NameServers.Select(e => e.ToString()));
}
