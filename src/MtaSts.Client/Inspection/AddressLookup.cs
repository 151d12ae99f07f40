using System.Net;

namespace MtaSts;

/// <summary>The A and AAAA records of a host, looked up through the same DNS client as discovery.</summary>
public sealed class AddressLookup
{
    internal AddressLookup(string host, DnsQueryOutcome outcome, IReadOnlyList<IPAddress> addresses, string? dnsError)
    {
        Host = host;
        Outcome = outcome;
        Addresses = addresses;
        DnsError = dnsError;
    }

    /// <summary>Gets the host name looked up.</summary>
    public string Host { get; }

    /// <summary>Gets how the lookup ended: <see cref="DnsQueryOutcome.Failed"/> only when both queries failed.</summary>
    public DnsQueryOutcome Outcome { get; }

    /// <summary>Gets the addresses found, IPv4 first; empty when there are none.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>Gets the failure, when <see cref="Outcome"/> is <see cref="DnsQueryOutcome.Failed"/>.</summary>
    public string? DnsError { get; }
}
