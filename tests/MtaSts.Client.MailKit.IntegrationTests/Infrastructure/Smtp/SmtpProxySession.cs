using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// One client connection through an <see cref="SmtpProxy"/>: a TCP connection to the upstream server, and two relays.
/// Client to server, commands go line by line (so the proxy can answer some itself), DATA content line by line until
/// the lone dot, and BDAT chunks as counted bytes. Server to client, whole replies (so that EHLO replies can be
/// rewritten). Replies reach the client in command order even when the proxy answers a command itself.
/// </summary>
internal sealed class SmtpProxySession : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ClosingGrace = TimeSpan.FromSeconds(5);

    private readonly SmtpProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _upstream = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly NetworkStream _clientNetwork;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Lock _pendingGate = new();
    private readonly Queue<PendingReply> _pending = new();
    private Stream _clientStream;
    private SmtpLineReader _clientReader;
    private NetworkStream? _upstreamStream;
    private bool _upstreamClosed;

    public SmtpProxySession(SmtpProxy proxy, int id, Socket client)
    {
        _proxy = proxy;
        Id = id;
        _client = client;
        _clientNetwork = new NetworkStream(client, ownsSocket: false);
        _clientStream = _clientNetwork;
        _clientReader = new SmtpLineReader(_clientNetwork);
    }

    /// <summary>The connection number (1 for the proxy's first connection).</summary>
    public int Id { get; }

    /// <summary>Whether the client side now runs over TLS (the handshake of <see cref="UpgradeClientAsync"/> succeeded on the proxy's side).</summary>
    public bool IsTls { get; private set; }

    /// <summary>Whether <see cref="UpgradeClientAsync"/> began a handshake.</summary>
    public bool TlsStarted { get; private set; }

    /// <summary>Bytes the client sent over TLS (more than 0 means the client accepted the TLS session).</summary>
    public long ClientBytesOverTls { get; private set; }

    /// <summary>How the client side ended when it ended with an exception (type and message), otherwise <see langword="null"/>.</summary>
    public string? ClientEndReason { get; private set; }

    public async Task RunAsync(IPEndPoint upstream, CancellationToken cancellationToken)
    {
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(ConnectTimeout);
            await _upstream.ConnectAsync(upstream, connectTimeout.Token);
        }
        catch (Exception ex) when (SmtpProxy.IsConnectionEnd(ex))
        {
            _proxy.Note(this, $"could not connect to the upstream server {upstream}: {ex.Message}");
            return;
        }

        _upstreamStream = new NetworkStream(_upstream, ownsSocket: false);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fromServer = RelayServerRepliesAsync(session.Token);
        var fromClient = RelayClientCommandsAsync(session.Token);
        var first = await Task.WhenAny(fromServer, fromClient);

        // Pass the end on (half-close), give the other direction a moment to finish, then tear everything down.
        Shutdown(first == fromClient ? _upstream : _client);
        var other = first == fromClient ? fromServer : fromClient;
        try
        {
            await other.WaitAsync(ClosingGrace, cancellationToken);
        }
        catch (Exception)
        {
            // A timeout just means the other side lingers; the relay's own outcome is observed below.
        }

        await session.CancelAsync();
        _client.Dispose();
        _upstream.Dispose();
        ClientEndReason = await ObserveAsync(fromClient);
        await ObserveAsync(fromServer);
    }

    /// <summary>Answers the current command from the proxy (after every reply owed before it) and waits until it is written.</summary>
    public async Task ReplyLocallyAsync(string line, CancellationToken cancellationToken)
    {
        var reply = PendingReply.Local([line]);
        Enqueue(reply);
        await _write.WaitAsync(cancellationToken);
        try
        {
            await FlushLocalRepliesAsync(cancellationToken);
        }
        finally
        {
            _write.Release();
        }

        await reply.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="handshake"/> over the raw client connection (nothing is written to the client meanwhile) and
    /// continues the session over the stream it returns.
    /// </summary>
    public async Task UpgradeClientAsync(Func<Stream, CancellationToken, Task<Stream>> handshake, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken);
        try
        {
            if (_clientReader.HasBufferedData)
            {
                throw new InvalidDataException("The client sent more data after STARTTLS without waiting for the reply.");
            }

            TlsStarted = true;
            var secured = await handshake(_clientNetwork, cancellationToken);
            _clientStream = secured;
            _clientReader = new SmtpLineReader(secured);
            IsTls = true;
        }
        finally
        {
            _write.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_clientStream != _clientNetwork)
        {
            await _clientStream.DisposeAsync();
        }

        await _clientNetwork.DisposeAsync();
        if (_upstreamStream is not null)
        {
            await _upstreamStream.DisposeAsync();
        }

        _client.Dispose();
        _upstream.Dispose();
        _write.Dispose();
    }

    private static void Shutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private static bool IsEndOfData(byte[] line) =>
        line is [(byte)'.', (byte)'\r', (byte)'\n'] or [(byte)'.', (byte)'\n'];

    private static string Verb(string command)
    {
        var end = command.IndexOf(' ', StringComparison.Ordinal);
        return (end < 0 ? command : command[..end]).Trim().ToUpperInvariant();
    }

    private static long ChunkSize(string bdatCommand)
    {
        var parts = bdatCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0;
    }

    /// <summary>Awaits a relay; returns how it ended when that was an exception.</summary>
    private async Task<string?> ObserveAsync(Task relay)
    {
        try
        {
            await relay;
            return null;
        }
        catch (Exception ex) when (SmtpProxy.IsConnectionEnd(ex))
        {
            // The connection ended (closed, reset or torn down): normal for a proxy.
            return $"{ex.GetType().Name}: {ex.Message}";
        }
        catch (Exception ex)
        {
            _proxy.RecordFault(this, ex);
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>Records bytes read from the client, and tells the proxy about the first ones that came over TLS.</summary>
    private void FromClient(byte[] bytes)
    {
        _proxy.RecordFromClient(this, bytes);
        if (IsTls && bytes.Length > 0)
        {
            var first = ClientBytesOverTls == 0;
            ClientBytesOverTls += bytes.Length;
            if (first)
            {
                _proxy.OnClientDataOverTls(this);
            }
        }
    }

    private async Task RelayClientCommandsAsync(CancellationToken cancellationToken)
    {
        var upstream = _upstreamStream!;
        var inData = false;
        var atLineStart = true;
        while (true)
        {
            var line = await _clientReader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return;
            }

            FromClient(line);
            if (inData)
            {
                var endOfData = atLineStart && IsEndOfData(line);
                atLineStart = line[^1] == '\n';
                if (endOfData)
                {
                    Enqueue(PendingReply.Forwarded("."));
                    inData = false;
                }

                await upstream.WriteAsync(line, cancellationToken);
                continue;
            }

            var command = SmtpReplies.Text(line);
            var verb = Verb(command);
            switch (await _proxy.HandleCommandAsync(this, verb, cancellationToken))
            {
                case ProxyCommandResult.Handled:
                    continue;
                case ProxyCommandResult.CloseConnection:
                    return;
            }

            var reply = PendingReply.Forwarded(verb);
            Enqueue(reply);
            await upstream.WriteAsync(line, cancellationToken);
            if (verb == "DATA")
            {
                // The client sends content only after a 354 reply, so waiting for it here costs nothing.
                inData = await reply.Completion.Task.WaitAsync(cancellationToken) == 354;
                atLineStart = true;
            }
            else if (verb == "BDAT")
            {
                await RelayChunkAsync(ChunkSize(command), cancellationToken);
            }
        }
    }

    private async Task RelayChunkAsync(long size, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (size > 0)
        {
            var read = await _clientReader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size)), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a BDAT chunk.");
            }

            FromClient(buffer.AsSpan(0, read).ToArray());
            await _upstreamStream!.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            size -= read;
        }
    }

    private async Task RelayServerRepliesAsync(CancellationToken cancellationToken)
    {
        var reader = new SmtpLineReader(_upstreamStream!);
        try
        {
            while (true)
            {
                var lines = new List<string>();
                do
                {
                    var line = await reader.ReadLineAsync(cancellationToken);
                    if (line is null)
                    {
                        return;
                    }

                    lines.Add(SmtpReplies.Text(line));
                }
                while (!SmtpReplies.IsLastLine(lines[^1]));

                await _write.WaitAsync(cancellationToken);
                try
                {
                    PendingReply? owed;
                    lock (_pendingGate)
                    {
                        owed = _pending.Count > 0 && !_pending.Peek().IsLocal ? _pending.Dequeue() : null;
                    }

                    var reply = owed?.Verb == "EHLO" ? _proxy.RewriteEhloReply(this, lines) : lines;
                    await WriteToClientAsync(reply, local: false, cancellationToken);
                    owed?.Completion.TrySetResult(SmtpReplies.Code(reply));
                    await FlushLocalRepliesAsync(cancellationToken);
                }
                finally
                {
                    _write.Release();
                }
            }
        }
        finally
        {
            // Nothing will answer the commands still waiting: release whoever waits for their replies.
            lock (_pendingGate)
            {
                _upstreamClosed = true;
                while (_pending.TryDequeue(out var owed))
                {
                    owed.Completion.TrySetCanceled(CancellationToken.None);
                }
            }
        }
    }

    private void Enqueue(PendingReply reply)
    {
        lock (_pendingGate)
        {
            if (_upstreamClosed)
            {
                reply.Completion.TrySetCanceled(CancellationToken.None);
                return;
            }

            _pending.Enqueue(reply);
        }
    }

    /// <summary>Writes the local replies at the head of the queue. The caller holds <see cref="_write"/>.</summary>
    private async Task FlushLocalRepliesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            PendingReply? next;
            lock (_pendingGate)
            {
                next = _pending.Count > 0 && _pending.Peek().IsLocal ? _pending.Dequeue() : null;
            }

            if (next is null)
            {
                return;
            }

            await WriteToClientAsync(next.LocalLines!, local: true, cancellationToken);
            next.Completion.TrySetResult(SmtpReplies.Code(next.LocalLines!));
        }
    }

    /// <summary>Writes a reply to the client. The caller holds <see cref="_write"/>.</summary>
    private async Task WriteToClientAsync(IReadOnlyList<string> lines, bool local, CancellationToken cancellationToken)
    {
        var bytes = SmtpReplies.Encode(lines);
        _proxy.RecordToClient(this, bytes, local);
        await _clientStream.WriteAsync(bytes, cancellationToken);
        await _clientStream.FlushAsync(cancellationToken);
    }
}
