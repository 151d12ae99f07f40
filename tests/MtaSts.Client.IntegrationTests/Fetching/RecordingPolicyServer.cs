using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// A second Kestrel HTTPS server on 127.0.0.1 for what <see cref="HttpsPolicyServer"/> does not expose: every request
/// header as the client sent it (the Host header with its port, Cookie, conditional headers), the SNI name of the
/// connection each request came on, and responses written by hand, such as a chunked body without Content-Length.
/// </summary>
/// <remarks>
/// Point a resolver at it with <c>options.PolicyHostPort = server.Port</c>; policy hosts resolve to 127.0.0.1 through
/// the environment's DNS as usual. Certificates passed in remain owned by the caller.
/// </remarks>
internal sealed class RecordingPolicyServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> _handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly X509Certificate2 _defaultCertificate;
    private readonly SslStreamCertificateContext _defaultContext;
    private WebApplication? _app;

    private RecordingPolicyServer()
    {
        _defaultCertificate = TestCertificateAuthority.CreateSelfSignedServerCertificate("localhost");
        _defaultContext = SslStreamCertificateContext.Create(_defaultCertificate, null, offline: true);
    }

    /// <summary>Gets the bound port.</summary>
    public int Port { get; private set; }

    /// <summary>Starts a server.</summary>
    public static async Task<RecordingPolicyServer> StartAsync()
    {
        var server = new RecordingPolicyServer();
        try
        {
            (server._app, server.Port) = await LoopbackWebHost.StartAsync(
                listener =>
                {
                    listener.Protocols = HttpProtocols.Http1AndHttp2;
                    listener.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = server.SelectCertificate });
                },
                server.HandleAsync,
                CancellationToken.None);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Presents <paramref name="certificate"/> to clients sending SNI <paramref name="hostName"/>.</summary>
    public void SetCertificate(string hostName, X509Certificate2 certificate) =>
        _certificates[hostName] = SslStreamCertificateContext.Create(certificate, null, offline: true);

    /// <summary>
    /// Answers every request with Host <paramref name="hostName"/> through <paramref name="handler"/>, which also gets the
    /// 1-based number of the request among those for that host. Other hosts get 404.
    /// </summary>
    public void SetHandler(string hostName, Func<HttpContext, int, Task> handler) => _handlers[hostName] = handler;

    /// <summary>Gets the requests received with Host <paramref name="hostName"/>, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> RequestsFor(string hostName) =>
        [.. _requests.Where(r => string.Equals(r.Host, hostName, StringComparison.OrdinalIgnoreCase))];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await LoopbackWebHost.StopAsync(_app);
        }

        _defaultCertificate.Dispose();
    }

    /// <summary>
    /// The SNI name in A-label form. SslStream hands the server the name decoded to U-labels, although the wire carries
    /// A-labels (RFC 6066 §3), so it is encoded back; a name that is not a valid IDN is kept as it is.
    /// </summary>
    private static string? ToALabels(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return serverName;
        }

        try
        {
            return new IdnMapping().GetAscii(serverName);
        }
        catch (ArgumentException)
        {
            return serverName;
        }
    }

    private ValueTask<SslServerAuthenticationOptions> SelectCertificate(TlsHandshakeCallbackContext context) =>
        ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificates.GetValueOrDefault(ToALabels(context.ClientHelloInfo.ServerName) ?? string.Empty) ?? _defaultContext,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });

    private async Task HandleAsync(HttpContext context)
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
