using System.Net;

namespace MtaSts;

/// <summary>The IPv4 and IPv6 addresses of a host (A and AAAA records, CNAMEs followed), or why there are none. Immutable.</summary>
public sealed class AddressLookupResult
{
    private AddressLookupResult(DnsLookupStatus status, IReadOnlyList<IPAddress> addresses, string? error)
    {
        Status = status;
        Addresses = addresses;
        Error = error;
    }

    /// <summary>Gets the answer for a host without addresses (NXDOMAIN or NODATA for both A and AAAA).</summary>
    public static AddressLookupResult NotFound { get; } = new(DnsLookupStatus.NotFound, [], null);

    /// <summary>Gets how the lookup ended.</summary>
    public DnsLookupStatus Status { get; }

    /// <summary>Gets the addresses, IPv4 first; empty unless <see cref="Status"/> is <see cref="DnsLookupStatus.Found"/>.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>Gets a short code saying why the lookup failed, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>Creates the answer for a host with addresses.</summary>
    /// <param name="addresses">The addresses; not empty.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="addresses"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="addresses"/> is empty.</exception>
    public static AddressLookupResult Found(IReadOnlyList<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return addresses.Count == 0
            ? throw new ArgumentException("A found address lookup has at least one address; use NotFound.", nameof(addresses))
            : new(DnsLookupStatus.Found, addresses, null);
    }

    /// <summary>Creates the result of a lookup that failed temporarily.</summary>
    /// <param name="error">Why, as a short code.</param>
    /// <returns>The result.</returns>
    public static AddressLookupResult Failure(string error) => new(DnsLookupStatus.TemporaryFailure, [], error);
}
