using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A real HTTP forward proxy on loopback that supports only <c>CONNECT</c> tunnels, as egress proxies for HTTPS do.
/// It records every request line, routes each tunnel to an endpoint the test chooses (never off the machine), and can
/// refuse tunnels with a status line. The bytes of a tunnel are copied both ways untouched: TLS stays end to end.
/// </summary>
public sealed class ConnectProxy : IAsyncDisposable
{
    private const int MaxHeaderBytes = 8192;

    private readonly TcpListener _listener;
    private readonly Func<string, int, IPEndPoint?> _route;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private ConnectProxy(Func<string, int, IPEndPoint?> route)
    {
        _route = route;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the proxy URI to configure, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Gets the request lines received, such as <c>CONNECT mta-sts.d1.mtasts.test:443 HTTP/1.1</c>.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Gets or sets a status line to refuse every tunnel with (such as <c>HTTP/1.1 403 Forbidden</c>); <see langword="null"/> to accept.</summary>
    public string? RefuseWith { get; set; }

    /// <summary>Starts a proxy that tunnels to the endpoint <paramref name="route"/> gives for a host and port (<see langword="null"/>: 502).</summary>
    public static ConnectProxy Start(Func<string, int, IPEndPoint?> route) => new(route);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        using var clientStream = new NetworkStream(client, ownsSocket: true);
        try
        {
            var header = await ReadHeaderAsync(clientStream);
            var requestLine = header?.Split("\r\n", 2)[0];
            if (requestLine is null)
            {
                return;
            }

            _requests.Enqueue(requestLine);
            var parts = requestLine.Split(' ');
            if (parts is not ["CONNECT", var authority, _] || !TryParseAuthority(authority, out var host, out var port))
            {
                await ReplyAsync(clientStream, "HTTP/1.1 405 Method Not Allowed");
                return;
            }

            if (RefuseWith is { } refusal)
            {
                await ReplyAsync(clientStream, refusal);
                return;
            }

            if (_route(host, port) is not { } target)
            {
                await ReplyAsync(clientStream, "HTTP/1.1 502 Bad Gateway");
                return;
            }

            using var upstream = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await upstream.ConnectAsync(target, _stop.Token);
            using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
            await ReplyAsync(clientStream, "HTTP/1.1 200 Connection established");

            // Copy both ways until either side closes; then close both.
            using var tunnel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = clientStream.CopyToAsync(upstreamStream, tunnel.Token);
            var down = upstreamStream.CopyToAsync(clientStream, tunnel.Token);
            await Task.WhenAny(up, down);
            await tunnel.CancelAsync();
            await Task.WhenAll(up, down).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client or the server went away: the tunnel ends.
        }
    }

    private async Task<string?> ReadHeaderAsync(NetworkStream stream)
    {
        var buffer = new byte[MaxHeaderBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            // One byte at a time: nothing after the blank line may be consumed (the TLS ClientHello follows it).
            var read = await stream.ReadAsync(buffer.AsMemory(length, 1), _stop.Token);
            if (read == 0)
            {
                return null;
            }

            length += read;
            if (length >= 4 && buffer.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }
        }

        return null;
    }

    private static bool TryParseAuthority(string authority, out string host, out int port)
    {
        var colon = authority.LastIndexOf(':');
        host = colon > 0 ? authority[..colon] : "";
        port = 0;
        return colon > 0 && int.TryParse(authority[(colon + 1)..], out port) && port is > 0 and < 65536;
    }

    private async Task ReplyAsync(NetworkStream stream, string statusLine)
    {
        // A 2xx answer to CONNECT carries no Content-Length (RFC 9110 §9.3.6): the tunnel starts after the blank line.
        var headers = statusLine.Contains(" 200 ", StringComparison.Ordinal) ? "\r\n\r\n" : "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(statusLine + headers), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }
}
