using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The socketmap server: listens on every configured endpoint (or the sockets systemd passed), accepts connections up to
/// the limit, watches each connection's time limits, and on stop (SIGTERM) stops accepting, lets the requests being
/// answered finish within the shutdown timeout and removes its unix socket files.
/// </summary>
internal sealed partial class SocketmapServer : IHostedService, IAsyncDisposable
{
    private readonly ServePostfixOptions _options;
    private readonly SocketmapResponder _responder;
    private readonly SocketmapLimits _limits;
    private readonly SocketmapTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger<SocketmapServer> _logger;
    private readonly ConcurrentDictionary<long, SocketmapConnection> _connections = new();
    private readonly List<(Socket Socket, string Name)> _listeners = [];
    private readonly List<string> _socketFiles = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _watchdog;
    private long _nextId;
    private int _active;
    private int _threads;
    private long _refusedLogged;

    public SocketmapServer(IOptions<ServePostfixOptions> options, IMtaStsPolicyResolver resolver, SocketmapTelemetry telemetry, TimeProvider time, ILogger<SocketmapServer> logger)
    {
        _options = options.Value;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _limits = new SocketmapLimits
        {
            MaxRequestBytes = _options.Limits.MaxRequestBytes,
            IdleTimeout = _options.Limits.IdleTimeout,
            RequestTimeout = _options.Limits.RequestTimeout,
        };
        var (defaults, names) = _options.ReplySettings();
        _responder = new SocketmapResponder(resolver, defaults, names, telemetry, logger);
    }

    /// <summary>Gets the endpoints listened on, as bound (an <c>inet:</c> endpoint with port 0 shows the port chosen).</summary>
    public IReadOnlyList<string> Endpoints => [.. _listeners.Select(l => l.Name)];

    public int ActiveConnections => Volatile.Read(ref _active);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var inherited = SystemdSockets.Take();
        if (inherited.Count > 0)
        {
            foreach (var socket in inherited)
            {
                _listeners.Add((socket, "systemd:" + Describe(socket.LocalEndPoint)));
            }

            LogSystemdSockets(_logger, inherited.Count);
        }
        else
        {
            foreach (var text in _options.EffectiveListen)
            {
                if (!ListenEndpoint.TryParse(text, out var endpoint, out var problem))
                {
                    // Validated at start; kept for a server built without the validator.
                    throw new InvalidOperationException($"Listen: '{text}' {problem}.");
                }

                var socket = Bind(endpoint);
                _listeners.Add((socket, endpoint.UnixPath is null ? "inet:" + Describe(socket.LocalEndPoint) : endpoint.Text));
            }
        }

        foreach (var (socket, name) in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(socket));
            LogListening(_logger, name);
        }

        var tick = TimeSpan.FromTicks(Math.Clamp(Math.Min(_limits.IdleTimeout.Ticks, _limits.RequestTimeout.Ticks) / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
        _watchdog = _time.CreateTimer(_ => CheckConnections(), null, tick, tick);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        LogStopping(_logger, ActiveConnections);
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var (socket, _) in _listeners)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        RemoveSocketFiles();

        foreach (var connection in _connections.Values)
        {
            connection.Stop();
        }

        var deadline = _time.GetTimestamp();
        while (!_connections.IsEmpty && _time.GetElapsedTime(deadline) < _options.Limits.ShutdownTimeout && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None).ConfigureAwait(false);
        }

        var aborted = 0;
        foreach (var connection in _connections.Values)
        {
            connection.Abort("shutdown timeout");
            aborted++;
        }

        LogStopped(_logger, aborted);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_watchdog is not null)
        {
            await _watchdog.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static string Describe(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip.Address}]:{ip.Port}" : ip.ToString(),
        UnixDomainSocketEndPoint unix => unix.ToString(),
        null => "?",
        _ => endPoint.ToString() ?? "?",
    };

    private Socket Bind(ListenEndpoint endpoint)
    {
        if (endpoint.UnixPath is { } path)
        {
            return BindUnix(endpoint, path);
        }

        var ip = (IPEndPoint)endpoint.EndPoint;
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(ip);
            socket.Listen(int.MaxValue);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot listen on {endpoint}: {ex.Message}", ex);
        }
    }

    private Socket BindUnix(ListenEndpoint endpoint, string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            // Only a socket file may be replaced: a mistyped path must never delete a configuration file.
            if (!UnixSocketFile.IsSocket(path))
            {
                throw new InvalidOperationException($"cannot listen on {endpoint}: {path} exists and is not a socket; it is left alone.");
            }

            // A socket file left by a server that is gone may be replaced; one that a live server answers may not.
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(endpoint.EndPoint);
                throw new InvalidOperationException($"cannot listen on {endpoint}: another server is listening on it.");
            }
            catch (SocketException)
            {
                File.Delete(path);
            }
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(endpoint.EndPoint);
            _socketFiles.Add(path);

            // Mode and owner before listening: until then nobody can connect, whatever the umask let the file be.
            var options = _options.Socket;
            if (options.Mode is { } mode && UnixSocketFile.TryParseMode(mode, out var fileMode) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, fileMode);
            }

            if (options.Owner is not null || options.Group is not null)
            {
                var uid = options.Owner is { } owner && UnixSocketFile.TryGetUserId(owner, out var u) ? u : uint.MaxValue;
                var gid = options.Group is { } group && UnixSocketFile.TryGetGroupId(group, out var g) ? g : uint.MaxValue;
                UnixSocketFile.SetOwner(path, uid, gid);
            }

            socket.Listen(int.MaxValue);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot listen on {endpoint}: {ex.Message}", ex);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var isTcp = listener.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                // Out of file descriptors, say: wait a little rather than spin.
                LogAcceptFailed(_logger, ex.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _active) > _options.Limits.MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                _telemetry.ProtocolError("too-many-connections");
                if (Interlocked.Increment(ref _refusedLogged) % 1000 == 1)
                {
                    LogTooManyConnections(_logger, _options.Limits.MaxConnections);
                }

                client.Dispose();
                continue;
            }

            if (isTcp)
            {
                client.NoDelay = true;
            }

            var peer = isTcp ? Describe(client.RemoteEndPoint) : "unix";
            var connection = new SocketmapConnection(Interlocked.Increment(ref _nextId), client, peer, _responder, _limits, _telemetry, _time, _logger);
            _connections[connection.Id] = connection;
            if (Interlocked.Increment(ref _threads) <= _options.Limits.DedicatedThreads)
            {
                new Thread(() => RunBlocking(connection)) { IsBackground = true, Name = "socketmap-connection" }.Start();
            }
            else
            {
                Interlocked.Decrement(ref _threads);
                _ = RunAsync(connection);
            }
        }
    }

    private async Task RunAsync(SocketmapConnection connection)
    {
        _telemetry.ConnectionOpened();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogConnectionFailed(_logger, connection.Id, ex);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            Interlocked.Decrement(ref _active);
            _telemetry.ConnectionClosed();
        }
    }

    private void RunBlocking(SocketmapConnection connection)
    {
        _telemetry.ConnectionOpened();
        try
        {
            connection.RunBlocking();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogConnectionFailed(_logger, connection.Id, ex);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            Interlocked.Decrement(ref _threads);
            Interlocked.Decrement(ref _active);
            _telemetry.ConnectionClosed();
        }
    }

    private void CheckConnections()
    {
        var now = _time.GetTimestamp();
        foreach (var connection in _connections.Values)
        {
            connection.CheckLimits(now);
        }
    }

    private void RemoveSocketFiles()
    {
        foreach (var path in _socketFiles)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left behind: the next start replaces a socket file nobody answers on.
            }
        }

        _socketFiles.Clear();
    }

    [LoggerMessage(EventId = 200, EventName = "Listening", Level = LogLevel.Information, Message = "Listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 201, EventName = "TooManyConnections", Level = LogLevel.Warning, Message = "Connection refused: {MaxConnections} connections are open (Limits:MaxConnections); logged once per 1000 refusals")]
    private static partial void LogTooManyConnections(ILogger logger, int maxConnections);

    [LoggerMessage(EventId = 204, EventName = "AcceptFailed", Level = LogLevel.Warning, Message = "Accepting a connection failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 205, EventName = "ConnectionFailed", Level = LogLevel.Error, Message = "Connection {ConnectionId} failed unexpectedly")]
    private static partial void LogConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 207, EventName = "Stopping", Level = LogLevel.Information, Message = "Stopping: no new connections; {Connections} open connections finish their requests")]
    private static partial void LogStopping(ILogger logger, int connections);

    [LoggerMessage(EventId = 208, EventName = "Stopped", Level = LogLevel.Information, Message = "Stopped ({Aborted} connections closed at the shutdown timeout)")]
    private static partial void LogStopped(ILogger logger, int aborted);

    [LoggerMessage(EventId = 212, EventName = "SystemdSockets", Level = LogLevel.Information, Message = "Using {Count} listening sockets passed by systemd; Listen is ignored")]
    private static partial void LogSystemdSockets(ILogger logger, int count);
}
