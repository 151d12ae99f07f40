namespace MtaSts.Tool.Postfix;

/// <summary>The per-connection limits, from the validated options.</summary>
internal sealed class SocketmapLimits
{
    /// <summary>Gets the largest request payload (the <c>name key</c> text), in bytes.</summary>
    public int MaxRequestBytes { get; init; } = 1024;

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets the time allowed for a request to arrive once it started, and for the client to take replies.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Gets the replies gathered before they are sent even though more requests of a batch are waiting.</summary>
    public int FlushThreshold { get; init; } = 64 * 1024;
}
