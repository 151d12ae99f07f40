using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// Kestrel HTTPS (HTTP/1.1 and HTTP/2) on 127.0.0.1 whose requests all go to <see cref="HandleAsync"/>, presenting the
/// certificate set for the client's SNI name, or a self-signed <c>localhost</c> certificate for any other name: the base
/// of the test servers that record requests by hand. Certificates passed in remain owned by the caller.
/// </summary>
internal abstract class SniHttpsServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2 _defaultCertificate;
    private readonly SslStreamCertificateContext _defaultContext;
    private WebApplication? _app;

    protected SniHttpsServer()
    {
        _defaultCertificate = TestCertificateAuthority.CreateSelfSignedServerCertificate("localhost");
        _defaultContext = SslStreamCertificateContext.Create(_defaultCertificate, null, offline: true);
    }

    /// <summary>Gets the bound port.</summary>
    public int Port { get; private set; }

    /// <summary>Presents <paramref name="certificate"/> to clients sending SNI <paramref name="hostName"/>.</summary>
    public void SetCertificate(string hostName, X509Certificate2 certificate) =>
        _certificates[hostName] = SslStreamCertificateContext.Create(certificate, null, offline: true);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await LoopbackWebHost.StopAsync(_app);
        }

        _defaultCertificate.Dispose();
    }

    /// <summary>Starts <paramref name="server"/>, disposing it if it cannot start.</summary>
    protected static async Task<TServer> StartAsync<TServer>(TServer server)
        where TServer : SniHttpsServer
    {
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

    /// <summary>
    /// The SNI name in A-label form. SslStream hands the server the name decoded to U-labels, although the wire carries
    /// A-labels (RFC 6066 §3), so it is encoded back; a name that is not a valid IDN is kept as it is.
    /// </summary>
    protected static string? ToALabels(string? serverName)
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

    /// <summary>Answers one request.</summary>
    protected abstract Task HandleAsync(HttpContext context);

    private ValueTask<SslServerAuthenticationOptions> SelectCertificate(TlsHandshakeCallbackContext context) =>
        ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificates.GetValueOrDefault(ToALabels(context.ClientHelloInfo.ServerName) ?? string.Empty) ?? _defaultContext,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });
}
