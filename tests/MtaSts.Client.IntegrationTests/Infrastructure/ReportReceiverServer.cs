using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A TLS-RPT receiver (RFC 8460 §5.4): Kestrel HTTPS on 127.0.0.1 that takes report POSTs for any number of report hosts
/// (certificate chosen by SNI), records each request with its body, and answers with the status the test sets per host
/// and attempt. Certificates passed in remain owned by the caller.
/// </summary>
public sealed class ReportReceiverServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Func<int, (int Status, string? Location)>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ReceivedReport> _requests = new();
    private readonly X509Certificate2 _defaultCertificate;
    private readonly SslStreamCertificateContext _defaultContext;
    private WebApplication? _app;

    private ReportReceiverServer()
    {
        _defaultCertificate = TestCertificateAuthority.CreateSelfSignedServerCertificate("localhost");
        _defaultContext = SslStreamCertificateContext.Create(_defaultCertificate, null, offline: true);
    }

    /// <summary>Gets the bound port.</summary>
    public int Port { get; private set; }

    /// <summary>Starts a server.</summary>
    public static async Task<ReportReceiverServer> StartAsync()
    {
        var server = new ReportReceiverServer();
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

    /// <summary>Answers the n-th request (1-based) for <paramref name="hostName"/> with the status <paramref name="status"/> gives (200 when never set).</summary>
    public void SetStatus(string hostName, Func<int, int> status) => _answers[hostName] = n => (status(n), null);

    /// <summary>Answers every request for <paramref name="hostName"/> with a redirect to <paramref name="location"/>.</summary>
    public void SetRedirect(string hostName, int status, string location) => _answers[hostName] = _ => (status, location);

    /// <summary>Gets the requests received for <paramref name="hostName"/>, in arrival order.</summary>
    public IReadOnlyList<ReceivedReport> RequestsFor(string hostName) =>
        [.. _requests.Where(r => string.Equals(r.Host, hostName, StringComparison.OrdinalIgnoreCase))];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await LoopbackWebHost.StopAsync(_app);
        }

        _defaultCertificate.Dispose();
    }

    private ValueTask<SslServerAuthenticationOptions> SelectCertificate(TlsHandshakeCallbackContext context) =>
        ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificates.GetValueOrDefault(context.ClientHelloInfo.ServerName ?? string.Empty) ?? _defaultContext,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });

    private async Task HandleAsync(HttpContext context)
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
public sealed record ReceivedReport(string Host, string Method, string Path, string? ContentType, byte[] Body);
