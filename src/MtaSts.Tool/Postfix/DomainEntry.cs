namespace MtaSts.Tool.Postfix;

/// <summary>
/// What the server knows about one distinct lookup key: its policy domain (or that it has none), and the last reply
/// written for it, reused while the resolver returns the same policy object under the same settings.
/// </summary>
internal sealed class DomainEntry
{
    private volatile CachedReply? _reply;

    public DomainEntry(string? policyDomain) => PolicyDomain = policyDomain;

    /// <summary>Gets the policy domain, or <see langword="null"/> when the key is not one (the reply is <c>NOTFOUND</c>).</summary>
    public string? PolicyDomain { get; }

    /// <summary>The reply for <paramref name="policy"/>: the cached one when nothing changed, otherwise written anew.</summary>
    public byte[] ReplyFor(MtaStsPolicy policy, SocketmapNameSettings settings)
    {
        var cached = _reply;
        if (cached is not null && ReferenceEquals(cached.Policy, policy) && ReferenceEquals(cached.Settings, settings))
        {
            return cached.Bytes;
        }

        var bytes = SocketmapReplies.ForPolicy(policy, PolicyDomain!, settings);
        _reply = new CachedReply(policy, settings, bytes);
        return bytes;
    }

    private sealed record CachedReply(MtaStsPolicy Policy, SocketmapNameSettings Settings, byte[] Bytes);
}
