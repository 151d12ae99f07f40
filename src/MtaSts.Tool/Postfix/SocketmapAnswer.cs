namespace MtaSts.Tool.Postfix;

/// <summary>
/// The answer to one request: the reply when it is known at once (a cached policy, a key that is not a domain), or the
/// resolution still running and what is needed to write the reply when it ends.
/// </summary>
internal readonly struct SocketmapAnswer
{
    private SocketmapAnswer(byte[]? reply, ValueTask<PolicyResolution> pending, DomainEntry? entry, SocketmapNameSettings? settings)
    {
        Reply = reply;
        Pending = pending;
        Entry = entry;
        Settings = settings;
    }

    /// <summary>Gets the reply, or <see langword="null"/> while the resolution runs.</summary>
    public byte[]? Reply { get; }

    public ValueTask<PolicyResolution> Pending { get; }

    public DomainEntry? Entry { get; }

    public SocketmapNameSettings? Settings { get; }

    public static SocketmapAnswer Completed(byte[] reply) => new(reply, default, null, null);

    public static SocketmapAnswer Running(ValueTask<PolicyResolution> pending, DomainEntry entry, SocketmapNameSettings settings) =>
        new(null, pending, entry, settings);
}
