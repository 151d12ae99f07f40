using System.Net;
using System.Net.Sockets;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// A scriptable SMTP server on 127.0.0.1 that plays the attacker or the misbehaving receiver: each accepted connection
/// runs the test's script (<see cref="HostileSmtpConnection"/>), which can stay silent, drip bytes, send endless
/// continuation lines, refuse STARTTLS, present any certificate, or run a correct transaction. Every connection keeps
/// what the client sent in the clear, so a test can assert what an attacker on the path would have seen.
/// </summary>
public sealed class HostileSmtpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<HostileSmtpConnection, Task> _script;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<HostileSmtpConnection> _connections = [];
    private readonly List<Task> _running = [];
    private Task _acceptLoop = Task.CompletedTask;

    private HostileSmtpServer(Socket listener, Func<HostileSmtpConnection, Task> script)
    {
        _listener = listener;
        _script = script;
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The connections accepted so far, in order.</summary>
    public IReadOnlyList<HostileSmtpConnection> Connections
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Everything clients sent in the clear, over every connection (TLS records excluded).</summary>
    public string PlaintextReceived => string.Concat(Connections.Select(c => c.PlaintextReceived));

    /// <summary>Everything clients sent inside TLS, over every connection.</summary>
    public string DecryptedReceived => string.Concat(Connections.Select(c => c.DecryptedReceived));

    /// <summary>Starts a server on a free loopback port that runs <paramref name="script"/> for every connection.</summary>
    public static HostileSmtpServer Start(Func<HostileSmtpConnection, Task> script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        var server = new HostileSmtpServer(listener, script);
        server._acceptLoop = server.AcceptLoopAsync();
        return server;
    }

    /// <summary>Waits until every script has ended (the client closed, or the script returned).</summary>
    public async Task WaitForIdleAsync(TimeSpan? timeout = null)
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        foreach (var connection in Connections)
        {
            connection.Abort();
        }

        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var connection = new HostileSmtpConnection(socket, _stopping.Token);
            lock (_gate)
            {
                _connections.Add(connection);
                _running.Add(RunAsync(connection));
            }
        }
    }

    private async Task RunAsync(HostileSmtpConnection connection)
    {
        await Task.Yield();
        try
        {
            await _script(connection);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The client hung up, or the test ended the connection: what it sent is recorded.
        }
        finally
        {
            connection.Abort();
        }
    }
}
