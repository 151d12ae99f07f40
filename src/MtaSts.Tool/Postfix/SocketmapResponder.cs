using Microsoft.Extensions.Logging;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// Answers socketmap requests (<c>name key</c>) from the resolver: the policy of the key's domain, as Postfix's
/// <c>smtp_tls_policy_maps</c> expects it (<see cref="SocketmapReplies"/>). A cached policy is answered synchronously with
/// no allocation; only a resolution that goes to the network is awaited.
/// </summary>
internal sealed partial class SocketmapResponder
{
    private static readonly byte[] MalformedRequest = SocketmapReplies.Perm("malformed request: expected 'name key'");

    private readonly IMtaStsPolicyResolver _resolver;
    private readonly DomainTable _domains;
    private readonly SocketmapNameSettings _defaults;
    private readonly (byte[] Name, SocketmapNameSettings Settings)[] _names;
    private readonly SocketmapTelemetry _telemetry;
    private readonly ILogger _logger;

    public SocketmapResponder(
        IMtaStsPolicyResolver resolver,
        SocketmapNameSettings defaults,
        IReadOnlyDictionary<string, SocketmapNameSettings> names,
        SocketmapTelemetry telemetry,
        ILogger logger,
        DomainTable? domains = null)
    {
        _resolver = resolver;
        _defaults = defaults;
        _names = [.. names.Select(n => (System.Text.Encoding.ASCII.GetBytes(n.Key), n.Value))];
        _telemetry = telemetry;
        _logger = logger;
        _domains = domains ?? new DomainTable();
    }

    /// <summary>Starts answering <paramref name="request"/> (a netstring's payload); copies what it needs from it.</summary>
    public SocketmapAnswer Begin(ReadOnlySpan<byte> request)
    {
        var space = request.IndexOf((byte)' ');
        if (space < 0)
        {
            return SocketmapAnswer.Completed(MalformedRequest);
        }

        var settings = SettingsFor(request[..space]);
        var entry = _domains.Get(request[(space + 1)..]);
        if (entry.PolicyDomain is not { } domain)
        {
            return SocketmapAnswer.Completed(SocketmapReplies.NotFound);
        }

        ValueTask<PolicyResolution> resolution;
        try
        {
            resolution = _resolver.ResolveAsync(domain);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return SocketmapAnswer.Completed(Unexpected(domain, ex));
        }

        if (resolution.IsCompletedSuccessfully)
        {
            return SocketmapAnswer.Completed(ReplyFor(resolution.Result, entry, settings));
        }

        return SocketmapAnswer.Running(resolution, entry, settings);
    }

    /// <summary>Waits for a resolution <see cref="Begin"/> left running and returns its reply; never throws.</summary>
    public async ValueTask<byte[]> CompleteAsync(SocketmapAnswer answer)
    {
        if (answer.Reply is { } reply)
        {
            return reply;
        }

        try
        {
            return ReplyFor(await answer.Pending.ConfigureAwait(false), answer.Entry!, answer.Settings!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Unexpected(answer.Entry!.PolicyDomain!, ex);
        }
    }

    private static byte[] ReplyFor(PolicyResolution resolution, DomainEntry entry, SocketmapNameSettings settings)
    {
        if (resolution.Policy is { } policy)
        {
            // A policy held applies even when a refresh failed: nothing weakens a policy we have (RFC 8461 §5.1).
            return entry.ReplyFor(policy, settings);
        }

        // No policy: deliver as usual. A resolution that must defer (DeferOnTemporaryFailure) makes Postfix defer too.
        return resolution.Status == PolicyResolutionStatus.TemporaryFailure ? SocketmapReplies.Temp : SocketmapReplies.NotFound;
    }

    private SocketmapNameSettings SettingsFor(ReadOnlySpan<byte> name)
    {
        foreach (var (bytes, settings) in _names)
        {
            if (name.SequenceEqual(bytes))
            {
                return settings;
            }
        }

        return _defaults;
    }

    private byte[] Unexpected(string domain, Exception exception)
    {
        // A bug, never an expected outcome (the resolver returns failures as values): Postfix defers and tries again.
        _telemetry.ProtocolError("resolver-exception");
        LogResolverFailed(_logger, domain, exception);
        return SocketmapReplies.Temporary("internal error");
    }

    [LoggerMessage(EventId = 206, EventName = "ResolverFailed", Level = LogLevel.Error, Message = "Resolving {PolicyDomain} threw; answered TEMP")]
    private static partial void LogResolverFailed(ILogger logger, string policyDomain, Exception exception);
}
