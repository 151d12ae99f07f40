namespace MtaSts.Tool.Postfix;

/// <summary>Settings of one socketmap name; an unset value is taken from the top level.</summary>
internal sealed class SocketmapNameOptions
{
    public TestingPolicy? Testing { get; set; }

    public bool? RequireSni { get; set; }

    public bool? TlsRpt { get; set; }
}
