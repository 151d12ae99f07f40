namespace MtaSts.Tool.Postfix;

/// <summary>Connection and request limits. Postfix closes an idle socketmap connection after 10 s and gives up on a reply after 100 s.</summary>
internal sealed class ServerLimitsOptions
{
    /// <summary>Gets or sets the most simultaneous client connections; further ones are closed at once.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Gets or sets the largest request (<c>name key</c>) in bytes; a larger one is answered PERM and the connection closed.</summary>
    public int MaxRequestBytes { get; set; } = 1024;

    /// <summary>Gets or sets how long a connection may stay without a request (longer than Postfix's own 10 s and 100 s limits).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets or sets how long a started request may take to arrive, and the client to take its replies (Postfix's 100 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Gets or sets how many connections get a thread of their own with blocking reads (cheaper per request when each
    /// connection has one request in flight, as Postfix's smtp processes do); connections beyond use asynchronous I/O.
    /// 0: all asynchronous.
    /// </summary>
    public int DedicatedThreads { get; set; } = 64;

    /// <summary>Gets or sets how long a stop waits for requests being answered before closing their connections.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
