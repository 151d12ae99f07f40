using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.Redis.IntegrationTests.Infrastructure;

/// <summary>
/// A private <c>redis-server</c> (Debian package <c>redis-server</c>) on 127.0.0.1 at a free port, with its own temporary
/// directory. It can be stopped (killed, as a crash would) and started again on the same port mid-test, and is killed
/// and its directory deleted on disposal.
/// </summary>
/// <remarks>
/// By default nothing is persisted (<c>--save ""</c>, <c>--appendonly no</c>): a restart starts empty. With
/// <c>appendOnly: true</c> every write is appended and fsynced to an AOF in the directory before Redis answers, so a
/// server killed and started again comes back with every write it acknowledged, as a production Redis configured for
/// persistence does. The binary defaults to <c>/usr/bin/redis-server</c>; <c>REDIS_SERVER_PATH</c> overrides it.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly bool _appendOnly;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private int _disposed;

    private RedisServer(bool appendOnly)
    {
        _appendOnly = appendOnly;
        Directory = System.IO.Directory.CreateTempSubdirectory("mtasts-redis-").FullName;
    }

    /// <summary>Gets the path of the <c>redis-server</c> binary.</summary>
    public static string ServerPath => Environment.GetEnvironmentVariable("REDIS_SERVER_PATH") ?? "/usr/bin/redis-server";

    /// <summary>Gets the TCP port; it stays the same across <see cref="StopAsync"/> and <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Gets <c>127.0.0.1:port</c>, a StackExchange.Redis endpoint.</summary>
    public string EndPoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>Gets the server's working directory (the AOF lives here).</summary>
    public string Directory { get; }

    /// <summary>Gets a value indicating whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartAsync(bool appendOnly = false)
    {
        var server = new RedisServer(appendOnly);
        try
        {
            // Another process may take the probed port before redis binds it: try a few ports.
            for (var attempt = 1; ; attempt++)
            {
                server.Port = FreePort.GetTcpPort();
                try
                {
                    await server.StartProcessAsync();
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 5 && !server.IsRunning)
                {
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server (SIGKILL: a crash, not a clean shutdown) and waits until the port refuses connections.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        await Poll.UntilAsync(() => !Answers(Port), $"redis on port {Port} to stop answering");
    }

    /// <summary>Starts the server again on the same port and directory, and waits until it answers PING.</summary>
    public Task RestartAsync() => IsRunning ? throw new InvalidOperationException("Redis is running.") : StartProcessAsync();

    /// <summary>Sends one command through a connection of its own and returns the raw RESP reply (for checks that bypass the client under test).</summary>
    public async Task<string> CommandAsync(params string[] arguments)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[65536];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_process is { } process)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            process.Dispose();
            _process = null;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        if (!File.Exists(ServerPath))
        {
            throw new FileNotFoundException($"{ServerPath} is missing: install the Debian package redis-server (or set REDIS_SERVER_PATH).", ServerPath);
        }

        var start = new ProcessStartInfo(ServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", Directory,
            "--save", string.Empty,
            "--appendonly", _appendOnly ? "yes" : "no",
            "--appendfsync", "always",
            "--daemonize", "no",
            "--logfile", string.Empty,
            "--databases", "1",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{ServerPath} did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = TimeProvider.System.GetTimestamp() + (long)(StartTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!Answers(Port))
        {
            if (process.HasExited || TimeProvider.System.GetTimestamp() > deadline)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync();
                _process = null;
                process.Dispose();
                throw new InvalidOperationException($"redis-server did not answer PING on port {Port}. Output:\n{Output()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Whether something on the port answers PING with PONG (a server loading its AOF answers LOADING, which is not yet ready).</summary>
    private static bool Answers(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.ReceiveTimeout = 1000;
            socket.SendTimeout = 1000;
            socket.Connect(IPAddress.Loopback, port);
            socket.Send("PING\r\n"u8);
            var buffer = new byte[64];
            var read = socket.Receive(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
