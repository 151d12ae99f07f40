using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// Plain-HTTP Kestrel on 127.0.0.1 that publishes the CRLs of the <see cref="TestCertificateAuthority"/> instances
/// created with it, at <c>http://127.0.0.1:{port}/crl/{authority id}.crl</c>. Each CRL is built fresh per request.
/// Start it before creating the authority, so that the authority's certificates can point at it.
/// </summary>
public sealed class TestCrlServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TestCertificateAuthority> _authorities = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private Uri? _baseUri;
    private int _requestCount;

    /// <summary>Base address, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri => _baseUri ?? throw new InvalidOperationException("The CRL server has not been started.");

    /// <summary>Number of CRL downloads served so far.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Starts a CRL server.</summary>
    public static async Task<TestCrlServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new TestCrlServer();
        await server.StartCoreAsync(cancellationToken);
        return server;
    }

    /// <inheritdoc />
    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <summary>Stops the server.</summary>
    public async Task DisposeAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is not null)
        {
            await LoopbackWebHost.StopAsync(app);
        }
    }

    /// <inheritdoc />
    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>Publishes the CRL of <paramref name="authority"/> and returns its address.</summary>
    internal Uri Register(TestCertificateAuthority authority)
    {
        _authorities[authority.Id] = authority;
        return new Uri(BaseUri, $"crl/{authority.Id}.crl");
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var (app, port) = await LoopbackWebHost.StartAsync(
            listener => listener.Protocols = HttpProtocols.Http1,
            HandleAsync,
            cancellationToken);
        _app = app;
        _baseUri = new Uri($"http://{IPAddress.Loopback}:{port}/");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        const string Prefix = "/crl/";
        const string Suffix = ".crl";
        if (path.StartsWith(Prefix, StringComparison.Ordinal)
            && path.EndsWith(Suffix, StringComparison.Ordinal)
            && _authorities.TryGetValue(path[Prefix.Length..^Suffix.Length], out var authority))
        {
            Interlocked.Increment(ref _requestCount);
            var crl = authority.BuildCrl();
            context.Response.ContentType = "application/pkix-crl";
            context.Response.ContentLength = crl.Length;
            await context.Response.Body.WriteAsync(crl, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }
}
