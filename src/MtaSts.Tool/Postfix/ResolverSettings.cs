namespace MtaSts.Tool.Postfix;

/// <summary>The library's resolver options that the configuration file may set (the shared command-line options override them).</summary>
internal sealed class ResolverSettings
{
    /// <summary>Gets or sets DNS servers as <c>HOST[:PORT]</c>; empty: the system's resolvers.</summary>
    public List<string> NameServers { get; set; } = [];

    /// <summary>Gets or sets PEM files whose certificates are the only trusted roots for policy hosts; empty: the system store.</summary>
    public List<string> TrustRoots { get; set; } = [];

    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Gets or sets the time for one DNS query; unset: the library's default (5 s).</summary>
    public TimeSpan? DnsTimeout { get; set; }

    /// <summary>Gets or sets the time for one whole DNS lookup; unset: the library's default (15 s).</summary>
    public TimeSpan? DiscoveryTimeout { get; set; }

    /// <summary>Gets or sets the time for a whole policy fetch; unset: the library's default (60 s).</summary>
    public TimeSpan? FetchTimeout { get; set; }

    /// <summary>Gets or sets a value indicating whether a DNS failure with nothing cached answers TEMP (Postfix defers) rather than NOTFOUND.</summary>
    public bool DeferOnTemporaryFailure { get; set; }
}
