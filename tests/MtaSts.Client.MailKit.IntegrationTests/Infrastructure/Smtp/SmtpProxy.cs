using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// Base of the SMTP proxies that play an attacker between a client and an upstream SMTP server: a TCP listener on
/// 127.0.0.1 (port chosen by the system), one <see cref="SmtpProxySession"/> per client connection, and a record of
/// what went through.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ClientToServer"/> holds every byte the proxy read from clients (after TLS decryption where the proxy
/// terminates TLS), including commands it answered itself and did not forward: it is what an attacker in the path saw.
/// <see cref="ServerToClient"/> holds every byte the proxy wrote to clients (rewritten replies and its own replies).
/// <see cref="Transcript"/> shows both as lines: <c>[n] C: </c> from client n, <c>[n] S: </c> relayed from the
/// server, <c>[n] P: </c> the proxy's own replies, <c>[n] * </c> events such as TLS handshakes.
/// </para>
/// <para>
/// Connections are handled in the background: after the client is done, call <see cref="WaitForIdleAsync"/> before
/// asserting on the records. Unexpected exceptions of a connection are collected in <see cref="Faults"/> (a proxy
/// never throws them at the test, and never leaves them unobserved); ordinary connection ends (reset, closed, TLS
/// handshake aborted by the client) are not faults.
/// </para>
/// </remarks>
public abstract class SmtpProxy : IAsyncDisposable
{
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _sessions = [];
    private readonly MemoryStream _clientToServer = new();
    private readonly MemoryStream _serverToClient = new();
    private readonly StringBuilder _transcript = new();
    private readonly List<Exception> _faults = [];
    private Task _acceptLoop = Task.CompletedTask;
    private int _connectionCount;
    private int _activeConnectionCount;
    private int _disposed;

    private protected SmtpProxy(IPEndPoint upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        Upstream = upstream;
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    /// <summary>Where clients connect (127.0.0.1).</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>The SMTP server every connection is relayed to.</summary>
    public IPEndPoint Upstream { get; }

    /// <summary>Number of client connections accepted so far (counted on accept, before any byte is read).</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Number of client connections still being handled.</summary>
    public int ActiveConnectionCount => Volatile.Read(ref _activeConnectionCount);

    /// <summary>Every byte read from clients so far, all connections in arrival order (decrypted where the proxy terminates TLS).</summary>
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

    /// <summary>Every byte written to clients so far, all connections in order.</summary>
    public byte[] ServerToClient
    {
        get
        {
            lock (_gate)
            {
                return _serverToClient.ToArray();
            }
        }
    }

    /// <summary>Both directions as text lines, with the connection number and the direction (see the class remarks).</summary>
    public string Transcript
    {
        get
        {
            lock (_gate)
            {
                return _transcript.ToString();
            }
        }
    }

    /// <summary>Unexpected exceptions raised while handling connections (empty when all went as designed).</summary>
    public IReadOnlyList<Exception> Faults
    {
        get
        {
            lock (_gate)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>Whether the bytes read from clients contain <paramref name="text"/> (Latin-1, case-sensitive).</summary>
    public bool ClientSent(string text) => Encoding.Latin1.GetString(ClientToServer).Contains(text, StringComparison.Ordinal);

    /// <summary>Waits until no connection is being handled any more (the client and the server both finished).</summary>
    public Task WaitForIdleAsync(TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => ActiveConnectionCount == 0, $"the proxy on {EndPoint} to finish its connections", timeout ?? DefaultIdleTimeout);

    /// <summary>Stops listening, ends every connection and waits for their handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] sessions;
        lock (_gate)
        {
            sessions = [.. _sessions];
        }

        try
        {
            await Task.WhenAll(sessions).WaitAsync(DisposeTimeout);
        }
        catch (TimeoutException)
        {
            // Handlers observe their own exceptions; one that is stuck must not hang the test run.
        }

        _stopping.Dispose();
        _listener.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Whether <paramref name="exception"/> just means that a connection ended (closed, reset, cancelled, TLS aborted).</summary>
    internal static bool IsConnectionEnd(Exception exception) =>
        exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException;

    /// <summary>The reply to an EHLO command, before it goes to the client.</summary>
    internal virtual IReadOnlyList<string> RewriteEhloReply(SmtpProxySession session, IReadOnlyList<string> lines) => lines;

    /// <summary>Decides what happens to a client command (<paramref name="verb"/> in upper case) outside DATA and BDAT content.</summary>
    internal virtual ValueTask<ProxyCommandResult> HandleCommandAsync(SmtpProxySession session, string verb, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProxyCommandResult.Forward);

    /// <summary>Called once per connection when the first bytes arrive from the client over TLS.</summary>
    internal virtual void OnClientDataOverTls(SmtpProxySession session)
    {
    }

    /// <summary>Called when a connection has ended (both directions closed), before its resources are released.</summary>
    internal virtual void OnConnectionEnded(SmtpProxySession session)
    {
    }

    internal void RecordFromClient(SmtpProxySession session, byte[] bytes) => Record(session, bytes, _clientToServer, "C");

    internal void RecordToClient(SmtpProxySession session, byte[] bytes, bool local) => Record(session, bytes, _serverToClient, local ? "P" : "S");

    internal void Note(SmtpProxySession session, string text)
    {
        lock (_gate)
        {
            _transcript.Append('[').Append(session.Id).Append("] * ").Append(text).Append('\n');
        }
    }

    internal void RecordFault(SmtpProxySession session, Exception exception)
    {
        lock (_gate)
        {
            _faults.Add(exception);
            _transcript.Append('[').Append(session.Id).Append("] * fault: ").Append(exception.GetType().Name).Append(": ")
                .Append(exception.Message).Append('\n');
        }
    }

    /// <summary>Starts accepting connections; derived classes call it once constructed.</summary>
    private protected void StartListening()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    private void Record(SmtpProxySession session, byte[] bytes, MemoryStream stream, string direction)
    {
        var text = Encoding.Latin1.GetString(bytes);
        lock (_gate)
        {
            stream.Write(bytes);
            foreach (var line in text.Split('\n'))
            {
                if (line.Length > 0)
                {
                    _transcript.Append('[').Append(session.Id).Append("] ").Append(direction).Append(": ").Append(line.TrimEnd('\r')).Append('\n');
                }
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return;
            }

            var session = new SmtpProxySession(this, Interlocked.Increment(ref _connectionCount), client);
            Interlocked.Increment(ref _activeConnectionCount);
            var handler = HandleSessionAsync(session);
            lock (_gate)
            {
                _sessions.Add(handler);
            }
        }
    }

    private async Task HandleSessionAsync(SmtpProxySession session)
    {
        try
        {
            await Task.Yield();
            await session.RunAsync(Upstream, _stopping.Token);
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // The connection ended: nothing to record.
        }
        catch (Exception ex)
        {
            RecordFault(session, ex);
        }
        finally
        {
            try
            {
                OnConnectionEnded(session);
            }
            finally
            {
                await session.DisposeAsync();
                Interlocked.Decrement(ref _activeConnectionCount);
            }
        }
    }
}
