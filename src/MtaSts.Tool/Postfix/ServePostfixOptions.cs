namespace MtaSts.Tool.Postfix;

/// <summary>
/// The configuration of <c>mta-sts serve-postfix</c>: the JSON file given with <c>--config</c>, then environment variables
/// prefixed <c>MTASTS_</c> (<c>MTASTS_Store__Type=Sqlite</c>), then command-line options. Validated at start
/// (<see cref="ServePostfixOptionsValidator"/>). The schema is in <c>docs/cli.md</c>.
/// </summary>
internal sealed class ServePostfixOptions
{
    /// <summary>The default endpoint, postfix-mta-sts-resolver's.</summary>
    public const string DefaultListen = "inet:127.0.0.1:8461";

    /// <summary>Gets or sets where to listen: <c>inet:HOST:PORT</c> or <c>unix:PATH</c>; empty means <see cref="DefaultListen"/>.</summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>Gets or sets the mode, owner and group of <c>unix:</c> socket files.</summary>
    public UnixSocketOptions Socket { get; set; } = new();

    /// <summary>Gets or sets what a policy in <c>mode: testing</c> becomes (report only by default).</summary>
    public TestingPolicy Testing { get; set; } = TestingPolicy.ReportOnly;

    /// <summary>Gets or sets a value indicating whether replies carry <c>servername=hostname</c> (Postfix 3.4 and later).</summary>
    public bool RequireSni { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether replies carry the Postfix 3.10 TLS-RPT attributes.</summary>
    public bool TlsRpt { get; set; }

    /// <summary>Gets or sets settings for particular socketmap names (<c>socketmap:…:NAME</c>); other names use the top level.</summary>
    public Dictionary<string, SocketmapNameOptions> Names { get; set; } = new(StringComparer.Ordinal);

    public ServerLimitsOptions Limits { get; set; } = new();

    public ResolverSettings Resolver { get; set; } = new();

    public StoreSettings Store { get; set; } = new();

    /// <summary>The endpoints, defaulted.</summary>
    public IReadOnlyList<string> EffectiveListen => Listen.Count == 0 ? [DefaultListen] : Listen;

    /// <summary>The reply settings of names without their own, and of each configured name.</summary>
    public (SocketmapNameSettings Defaults, Dictionary<string, SocketmapNameSettings> Names) ReplySettings()
    {
        var defaults = new SocketmapNameSettings { Testing = Testing, RequireSni = RequireSni, TlsRpt = TlsRpt };
        var names = Names.ToDictionary(
            n => n.Key,
            n => new SocketmapNameSettings
            {
                Testing = n.Value.Testing ?? Testing,
                RequireSni = n.Value.RequireSni ?? RequireSni,
                TlsRpt = n.Value.TlsRpt ?? TlsRpt,
            },
            StringComparer.Ordinal);
        return (defaults, names);
    }
}
