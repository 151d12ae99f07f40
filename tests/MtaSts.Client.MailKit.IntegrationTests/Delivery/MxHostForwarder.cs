using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// Gives one MX host its own loopback address: listens on <c>127.77.x.y:&lt;shared port&gt;</c> and relays every TCP
/// connection byte for byte to a target on 127.0.0.1 (a Postfix instance or an attacker proxy in front of one).
/// </summary>
/// <remarks>
/// <para>
/// Why: <see cref="MtaStsDeliveryAgent"/> connects to <see cref="MtaStsDeliveryOptions.Port"/> at every address of every
/// MX host, while Postfix (<c>inet_interfaces = 127.0.0.1</c>) and the proxies listen on 127.0.0.1 at ports of their
/// own. So each MX host's A record names a distinct address of 127.0.0.0/8 (all of it is loopback on Linux), and a
/// forwarder on that address and the shared port leads to the host's server.
/// </para>
/// <para>
/// The forwarder is also a passive wire tap: <see cref="ClientToServer"/> holds the raw bytes clients sent (TLS records
/// stay encrypted), so a test can show that a message body never crossed the wire in plaintext.
/// </para>
/// </remarks>
public sealed class MxHostForwarder : IAsyncDisposable
{
    private static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(15);
    private static int _nextAddress = 256;

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _connections = [];
    private readonly MemoryStream _clientToServer = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _connectionCount;
    private int _activeConnectionCount;
    private int _disposed;

    private MxHostForwarder(Socket listener, IPEndPoint target)
    {
        _listener = listener;
        Target = target;
    }

    /// <summary>Where clients connect: the host's own loopback address and the shared SMTP port.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The host's address (what its A record says).</summary>
    public IPAddress Address => EndPoint.Address;

    /// <summary>Where connections are relayed to.</summary>
    public IPEndPoint Target { get; }

    /// <summary>Number of connections accepted so far (counted on accept).</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Number of connections still being relayed.</summary>
    public int ActiveConnectionCount => Volatile.Read(ref _activeConnectionCount);

    /// <summary>Every raw byte clients sent so far, all connections in arrival order.</summary>
    public byte[] ClientToServer
    {
        get
        {
            lock (_gate)
            {
                return _clientToServer.ToArray();
            }
        }
    }

    /// <summary>Returns a loopback address (127.77.0.0/16) that no forwarder of this process has used, and that is free at <paramref name="port"/> right now.</summary>
    public static IPAddress ReserveUnusedAddress(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var address = NextAddress();
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, port));
                return address;
            }
            catch (SocketException)
            {
                // Taken by someone else: try the next address.
            }
        }

        throw new InvalidOperationException($"No free loopback address for port {port}.");
    }

    /// <summary>Starts a forwarder on a fresh loopback address at <paramref name="port"/>, relaying to <paramref name="target"/>.</summary>
    public static MxHostForwarder Start(int port, IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        for (var attempt = 0; ; attempt++)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(NextAddress(), port));
                listener.Listen(64);
            }
            catch (SocketException) when (attempt < 100)
            {
                // Another process holds this address and port: take the next address.
                listener.Dispose();
                continue;
            }

            var forwarder = new MxHostForwarder(listener, target);
            forwarder._acceptLoop = forwarder.AcceptLoopAsync();
            return forwarder;
        }
    }

    /// <summary>Whether the raw bytes clients sent contain <paramref name="text"/> (Latin-1, case-sensitive).</summary>
    public bool ClientSent(string text) => Encoding.Latin1.GetString(ClientToServer).Contains(text, StringComparison.Ordinal);

    /// <summary>Waits until no connection is being relayed any more.</summary>
    public Task WaitForIdleAsync(TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => ActiveConnectionCount == 0, $"the forwarder on {EndPoint} to finish its connections", timeout ?? DefaultIdleTimeout);

    /// <summary>Stops listening, ends every connection and waits for the relays.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        try
        {
            await Task.WhenAll(connections).WaitAsync(DefaultIdleTimeout);
        }
        catch (TimeoutException)
        {
            // A stuck relay must not hang the test run.
        }

        _stopping.Dispose();
    }

    private static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref _nextAddress);
        return new IPAddress([127, 77, (byte)(n >> 8), (byte)(n & 0xFF)]);
    }

    private static bool IsConnectionEnd(Exception exception) =>
        exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (IsConnectionEnd(ex))
            {
                return;
            }

            Interlocked.Increment(ref _connectionCount);
            Interlocked.Increment(ref _activeConnectionCount);
            var relay = RelayAsync(client);
            lock (_gate)
            {
                _connections.Add(relay);
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        await Task.Yield();
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (client)
            {
                client.NoDelay = true;
                await upstream.ConnectAsync(Target, _stopping.Token);
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var toServer = PumpAsync(client, upstream, record: true, done.Token);
                var toClient = PumpAsync(upstream, client, record: false, done.Token);

                // When either side is finished, end the other direction too (a half-open SMTP session has nothing left to say).
                await Task.WhenAny(toServer, toClient);
                await done.CancelAsync();
                await Task.WhenAll(toServer, toClient);
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // The connection ended.
        }
        finally
        {
            Interlocked.Decrement(ref _activeConnectionCount);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool record, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (record)
                {
                    lock (_gate)
                    {
                        _clientToServer.Write(buffer, 0, read);
                    }
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // Closed, reset or cancelled: the relay is over.
        }
    }
}
