using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// Kestrel HTTPS on 127.0.0.1 (kernel-assigned port) impersonating any number of <c>mta-sts.{domain}</c> hosts. The
/// server certificate is chosen per TLS SNI name (falling back to a default), the response to
/// <c>GET /.well-known/mta-sts.txt</c> is configured per Host header, and requests and handshakes are counted.
/// Clients reach it by connecting to <see cref="EndPoint"/> whatever the host name (for example through
/// <see cref="SocketsHttpHandler.ConnectCallback"/>).
/// </summary>
/// <remarks>
/// Certificates are selected in a <see cref="TlsHandshakeCallbackOptions"/> callback rather than
/// <c>ServerCertificateSelector</c> so that each host can also send intermediate certificates
/// (<see cref="SslStreamCertificateContext"/>). Certificates passed in remain owned by the caller.
/// </remarks>
public sealed class HttpsPolicyServer : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>The RFC 8461 policy path.</summary>
    public const string PolicyPath = "/.well-known/mta-sts.txt";

    private static readonly List<SslApplicationProtocol> ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _certificates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PolicyResponse> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _handshakes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ObservedHttpRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly X509Certificate2? _ownedDefaultCertificate;
    private SslStreamCertificateContext _defaultCertificate;
    private WebApplication? _app;
    private int _port;
    private int _disposed;

    /// <summary>
    /// Creates a server whose default certificate is a self-signed one for <c>localhost</c>. This is the constructor
    /// xUnit uses for fixtures (which allow only one public constructor); call <see cref="InitializeAsync"/> to start it.
    /// </summary>
    public HttpsPolicyServer()
    {
        _ownedDefaultCertificate = TestCertificateAuthority.CreateSelfSignedServerCertificate("localhost");
        _defaultCertificate = CreateContext(_ownedDefaultCertificate, null);
    }

    private HttpsPolicyServer(X509Certificate2 defaultCertificate, X509Certificate2Collection? intermediates = null)
    {
        _defaultCertificate = CreateContext(defaultCertificate, intermediates);
    }

    /// <summary>The bound port.</summary>
    public int Port => _port != 0 ? _port : throw new InvalidOperationException("The HTTPS policy server has not been started.");

    /// <summary>The bound endpoint (127.0.0.1).</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<ObservedHttpRequest> Requests => [.. _requests];

    /// <summary>Number of requests received so far, for any host and path.</summary>
    public int TotalRequestCount => _requests.Count;

    /// <summary>Starts a server.</summary>
    /// <param name="defaultCertificate">Presented when the SNI name matches no configured host; a self-signed <c>localhost</c> certificate if <see langword="null"/>.</param>
    /// <param name="intermediates">Intermediates sent along with <paramref name="defaultCertificate"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<HttpsPolicyServer> StartAsync(
        X509Certificate2? defaultCertificate = null,
        X509Certificate2Collection? intermediates = null,
        CancellationToken cancellationToken = default)
    {
        var server = defaultCertificate is null ? new HttpsPolicyServer() : new HttpsPolicyServer(defaultCertificate, intermediates);
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Replaces the certificate presented when the SNI name matches no configured host (or is absent).</summary>
    public void SetDefaultCertificate(X509Certificate2 certificate, X509Certificate2Collection? intermediates = null) =>
        _defaultCertificate = CreateContext(certificate, intermediates);

    /// <summary>Presents <paramref name="certificate"/> (plus <paramref name="intermediates"/>) to clients sending SNI <paramref name="hostName"/>.</summary>
    public void SetCertificate(string hostName, X509Certificate2 certificate, X509Certificate2Collection? intermediates = null) =>
        _certificates[DnsWire.Normalize(hostName)] = CreateContext(certificate, intermediates);

    /// <summary>Makes SNI <paramref name="hostName"/> fall back to the default certificate.</summary>
    public void RemoveCertificate(string hostName) => _certificates.TryRemove(DnsWire.Normalize(hostName), out _);

    /// <summary>Configures the answer to <see cref="PolicyPath"/> for Host <paramref name="hostName"/>.</summary>
    public void SetResponse(string hostName, PolicyResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _responses[DnsWire.Normalize(hostName)] = response;
    }

    /// <summary>Serves <paramref name="policyText"/> as a 200 <c>text/plain</c> policy for Host <paramref name="hostName"/>.</summary>
    public void SetPolicy(string hostName, string policyText) => SetResponse(hostName, PolicyResponse.Policy(policyText));

    /// <summary>Makes Host <paramref name="hostName"/> answer 404 again.</summary>
    public void RemoveResponse(string hostName) => _responses.TryRemove(DnsWire.Normalize(hostName), out _);

    /// <summary>Number of HTTP requests received with Host <paramref name="hostName"/> (any path).</summary>
    public int RequestCount(string hostName)
    {
        var host = DnsWire.Normalize(hostName);
        return _requests.Count(r => r.Host == host);
    }

    /// <summary>Number of TLS handshakes started with SNI <paramref name="sniHostName"/> (empty for none), including failed ones.</summary>
    public int HandshakeCount(string sniHostName) => _handshakes.GetValueOrDefault(DnsWire.Normalize(sniHostName));

    /// <summary>Forgets every request and handshake seen so far.</summary>
    public void ResetCounts()
    {
        _requests.Clear();
        _handshakes.Clear();
    }

    /// <inheritdoc />
    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <summary>Cancels stalled responses and stops Kestrel.</summary>
    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await LoopbackWebHost.StopAsync(_app);
        }

        _stopping.Dispose();
        _ownedDefaultCertificate?.Dispose();
    }

    /// <inheritdoc />
    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private static SslStreamCertificateContext CreateContext(X509Certificate2 certificate, X509Certificate2Collection? intermediates)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate needs its private key.", nameof(certificate));
        }

        return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The HTTPS policy server has already been started.");
        }

        (_app, _port) = await LoopbackWebHost.StartAsync(
            listener =>
            {
                listener.Protocols = HttpProtocols.Http1AndHttp2;
                listener.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = SelectCertificate });
            },
            HandleAsync,
            cancellationToken);
    }

    private ValueTask<SslServerAuthenticationOptions> SelectCertificate(TlsHandshakeCallbackContext context)
    {
        var serverName = DnsWire.Normalize(context.ClientHelloInfo.ServerName ?? string.Empty);
        _handshakes.AddOrUpdate(serverName, 1, (_, count) => count + 1);
        var certificate = _certificates.GetValueOrDefault(serverName) ?? _defaultCertificate;
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ApplicationProtocols = ApplicationProtocols,
            ClientCertificateRequired = false,
        });
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var host = DnsWire.Normalize(request.Host.Host);
        _requests.Enqueue(new ObservedHttpRequest(host, request.Method, request.Path.Value ?? string.Empty, request.Protocol));
        if (request.Path != PolicyPath || !_responses.TryGetValue(host, out var configured))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var token = cancellation.Token;
        try
        {
            if (configured.Delay > TimeSpan.Zero)
            {
                await Task.Delay(configured.Delay, token);
            }

            var response = context.Response;
            response.StatusCode = configured.StatusCode;
            if (configured.ContentType is not null)
            {
                response.ContentType = configured.ContentType;
            }

            foreach (var (name, value) in configured.Headers)
            {
                response.Headers[name] = value;
            }

            if (configured.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
            {
                response.ContentLength = configured.Body.Length;
            }

            if (configured.BodyDelay > TimeSpan.Zero)
            {
                await response.StartAsync(token);
                await response.Body.FlushAsync(token);
                await Task.Delay(configured.BodyDelay, token);
            }

            await response.Body.WriteAsync(configured.Body, token);
        }
        catch (OperationCanceledException)
        {
            // Client gone or server stopping: drop the connection rather than finishing a stalled response.
            context.Abort();
        }
    }
}
