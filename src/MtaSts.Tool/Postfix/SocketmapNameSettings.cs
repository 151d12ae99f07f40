namespace MtaSts.Tool.Postfix;

/// <summary>
/// How replies are written for one socketmap name (the <c>NAME</c> of <c>socketmap:inet:HOST:PORT:NAME</c>), resolved
/// from the configuration at start: a name without settings of its own uses the top-level ones.
/// </summary>
internal sealed class SocketmapNameSettings
{
    public TestingPolicy Testing { get; init; }

    /// <summary>Gets a value indicating whether <c>servername=hostname</c> is added (SNI; Postfix 3.4 and later).</summary>
    public bool RequireSni { get; init; } = true;

    /// <summary>Gets a value indicating whether the Postfix 3.10 TLS-RPT attributes are added (older Postfix rejects them).</summary>
    public bool TlsRpt { get; init; }
}
