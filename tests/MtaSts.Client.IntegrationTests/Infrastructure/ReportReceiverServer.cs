using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A TLS-RPT receiver (RFC 8460 §5.4): Kestrel HTTPS on 127.0.0.1 that takes report POSTs for any number of report hosts
/// (certificate chosen by SNI), records each request with its body, and answers with the status the test sets per host
/// and attempt.
/// </summary>
internal sealed class ReportReceiverServer : SniHttpsServer
{
    private readonly ConcurrentDictionary<string, Func<int, (int Status, string? Location)>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ReceivedReport> _requests = new();

    private ReportReceiverServer()
    {
    }

    /// <summary>Starts a server.</summary>
    public static Task<ReportReceiverServer> StartAsync() => StartAsync(new ReportReceiverServer());

    /// <summary>Answers the n-th request (1-based) for <paramref name="hostName"/> with the status <paramref name="status"/> gives (200 when never set).</summary>
    public void SetStatus(string hostName, Func<int, int> status) => _answers[hostName] = n => (status(n), null);

    /// <summary>Answers every request for <paramref name="hostName"/> with a redirect to <paramref name="location"/>.</summary>
    public void SetRedirect(string hostName, int status, string location) => _answers[hostName] = _ => (status, location);

    /// <summary>Gets the requests received for <paramref name="hostName"/>, in arrival order.</summary>
    public IReadOnlyList<ReceivedReport> RequestsFor(string hostName) =>
        [.. _requests.Where(r => string.Equals(r.Host, hostName, StringComparison.OrdinalIgnoreCase))];

    /// <inheritdoc />
    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var host = request.Host.Host;
        _requests.Enqueue(new ReceivedReport(host, request.Method, request.Path.Value ?? string.Empty, request.ContentType, body.ToArray()));
        var count = RequestsFor(host).Count;
        var (status, location) = _answers.TryGetValue(host, out var answer) ? answer(count) : (StatusCodes.Status200OK, null);
        context.Response.StatusCode = status;
        if (location is not null)
        {
            context.Response.Headers.Location = location;
        }
    }
}

/// <summary>One request a <see cref="ReportReceiverServer"/> received.</summary>
/// <param name="Host">The Host header without the port.</param>
/// <param name="Method">The method.</param>
/// <param name="Path">The path.</param>
/// <param name="ContentType">The Content-Type header.</param>
/// <param name="Body">The body as sent.</param>
internal sealed record ReceivedReport(string Host, string Method, string Path, string? ContentType, byte[] Body);
