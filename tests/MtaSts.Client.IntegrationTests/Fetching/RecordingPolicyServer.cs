using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// A second Kestrel HTTPS server on 127.0.0.1 for what <see cref="HttpsPolicyServer"/> does not expose: every request
/// header as the client sent it (the Host header with its port, Cookie, conditional headers), the SNI name of the
/// connection each request came on, and responses written by hand, such as a chunked body without Content-Length.
/// </summary>
/// <remarks>
/// Point a resolver at it with <c>options.PolicyHostPort = server.Port</c>; policy hosts resolve to 127.0.0.1 through
/// the environment's DNS as usual.
/// </remarks>
internal sealed class RecordingPolicyServer : SniHttpsServer
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> _handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private RecordingPolicyServer()
    {
    }

    /// <summary>Starts a server.</summary>
    public static Task<RecordingPolicyServer> StartAsync() => StartAsync(new RecordingPolicyServer());

    /// <summary>
    /// Answers every request with Host <paramref name="hostName"/> through <paramref name="handler"/>, which also gets the
    /// 1-based number of the request among those for that host. Other hosts get 404.
    /// </summary>
    public void SetHandler(string hostName, Func<HttpContext, int, Task> handler) => _handlers[hostName] = handler;

    /// <summary>Gets the requests received with Host <paramref name="hostName"/>, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> RequestsFor(string hostName) =>
        [.. _requests.Where(r => string.Equals(r.Host, hostName, StringComparison.OrdinalIgnoreCase))];

    /// <inheritdoc />
    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty,
            request.Protocol,
            ToALabels(context.Features.Get<ITlsHandshakeFeature>()?.HostName),
            headers);
        _requests.Enqueue(recorded);
        if (!_handlers.TryGetValue(recorded.Host, out var handler))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            await handler(context, RequestsFor(recorded.Host).Count);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client stopped reading (for example after the size cap): drop the connection.
            context.Abort();
        }
    }
}
