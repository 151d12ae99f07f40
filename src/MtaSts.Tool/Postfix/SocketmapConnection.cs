using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// One client connection. Reads whatever arrived, answers every whole request in it in order (pipelining: one send for
/// all their replies), keeps a partial request for the next read. Memory per connection is bounded by one receive buffer
/// (the largest request) and one batch of replies. A connection never throws: it ends with a reason.
/// </summary>
internal sealed partial class SocketmapConnection
{
    private readonly Socket _socket;
    private readonly SocketmapResponder _responder;
    private readonly SocketmapLimits _limits;
    private readonly SocketmapTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _since;
    private volatile ConnectionState _state;
    private volatile bool _stopping;
    private string? _abortReason;

    public SocketmapConnection(long id, Socket socket, string peer, SocketmapResponder responder, SocketmapLimits limits, SocketmapTelemetry telemetry, TimeProvider time, ILogger logger)
    {
        Id = id;
        _socket = socket;
        Peer = peer;
        _responder = responder;
        _limits = limits;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _since = time.GetTimestamp();
    }

    public long Id { get; }

    public string Peer { get; }

    public ConnectionState State => _state;

    /// <summary>Runs until the client closes, a limit is hit, or the server stops.</summary>
    public async Task RunAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, _limits.MaxRequestBytes + 8));
        var output = new ReplyBuffer();
        List<SocketmapAnswer>? waiting = null;
        var filled = 0;
        var reason = "closed by the client";
        try
        {
            while (!_stopping)
            {
                SetState(filled == 0 ? ConnectionState.Idle : ConnectionState.Reading);
                var received = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    reason = filled == 0 ? "closed by the client" : "closed by the client in the middle of a request";
                    break;
                }

                filled += received;
                var offset = 0;
                byte[]? fatal = null;
                while (offset < filled)
                {
                    var status = Netstring.TryRead(buffer.AsSpan(offset, filled - offset), _limits.MaxRequestBytes, out var start, out var length, out var consumed);
                    if (status == NetstringStatus.NeedMore)
                    {
                        break;
                    }

                    if (status != NetstringStatus.Complete)
                    {
                        fatal = ProtocolError(status);
                        break;
                    }

                    var began = _telemetry.DurationEnabled ? _time.GetTimestamp() : 0;
                    var answer = _responder.Begin(buffer.AsSpan(offset + start, length));
                    offset += consumed;
                    if (answer.Reply is { } reply && (waiting is null || waiting.Count == 0))
                    {
                        output.Append(reply);
                        _telemetry.Answered(reply, began == 0 ? null : _time.GetElapsedTime(began).TotalSeconds);
                        if (output.Length >= _limits.FlushThreshold)
                        {
                            await SendAsync(output).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        // Replies go out in request order: once one waits for the resolver, the rest of the batch waits too
                        // (their resolutions already run).
                        (waiting ??= []).Add(answer);
                    }
                }

                if (waiting is { Count: > 0 })
                {
                    SetState(ConnectionState.Resolving);
                    foreach (var answer in waiting)
                    {
                        var reply = await _responder.CompleteAsync(answer).ConfigureAwait(false);
                        output.Append(reply);
                        _telemetry.Answered(reply, null);
                    }

                    waiting.Clear();
                }

                if (fatal is not null)
                {
                    output.Append(fatal);
                }

                if (output.Length > 0)
                {
                    await SendAsync(output).ConfigureAwait(false);
                }

                if (fatal is not null)
                {
                    reason = "protocol error";
                    break;
                }

                if (offset > 0)
                {
                    // Whole requests were answered (and their replies sent, so the state changes at the top of the loop and
                    // the time of the next request starts now); keep the partial one that may follow.
                    Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                    filled -= offset;
                }
            }

            if (_stopping)
            {
                reason = "server stopping";
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            reason = _abortReason ?? (ex is SocketException se ? $"socket error {se.SocketErrorCode}" : "connection aborted");
        }
        finally
        {
            _state = ConnectionState.Closed;
            _socket.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            output.Dispose();
            LogClosed(_logger, Id, Peer, reason);
        }
    }

    /// <summary>Ends the connection when it has been in one state too long; called by the server's watchdog.</summary>
    public void CheckLimits(long now)
    {
        var state = _state;
        var elapsed = _time.GetElapsedTime(Volatile.Read(ref _since), now);
        var (limit, what) = state switch
        {
            ConnectionState.Idle => (_limits.IdleTimeout, "idle"),
            ConnectionState.Reading => (_limits.RequestTimeout, "request-timeout"),
            ConnectionState.Writing => (_limits.RequestTimeout, "write-timeout"),
            _ => (Timeout.InfiniteTimeSpan, ""),
        };
        if (limit == Timeout.InfiniteTimeSpan || elapsed < limit)
        {
            return;
        }

        if (state == ConnectionState.Idle)
        {
            Abort($"idle for {limit.TotalSeconds:0.#} s");
        }
        else
        {
            _telemetry.ProtocolError(what);
            LogTimedOut(_logger, Id, Peer, state == ConnectionState.Reading ? "an incomplete request" : "the client to take its replies", limit.TotalSeconds);
            Abort(state == ConnectionState.Reading ? "request timeout" : "write timeout");
        }
    }

    /// <summary>Asks the connection to end after the batch it is answering; an idle connection ends now.</summary>
    public void Stop()
    {
        _stopping = true;
        if (_state is ConnectionState.Idle or ConnectionState.Reading)
        {
            Abort("server stopping");
        }
    }

    /// <summary>Closes the socket at once (a pending read or write fails and the loop ends).</summary>
    public void Abort(string reason)
    {
        _abortReason ??= reason;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Dispose();
    }

    private void SetState(ConnectionState state)
    {
        if (_state != state)
        {
            Volatile.Write(ref _since, _time.GetTimestamp());
            _state = state;
        }
    }

    private async ValueTask SendAsync(ReplyBuffer output)
    {
        Volatile.Write(ref _since, _time.GetTimestamp());
        _state = ConnectionState.Writing;
        await _socket.SendAsync(output.Written, SocketFlags.None).ConfigureAwait(false);
        output.Clear();
    }

    private byte[] ProtocolError(NetstringStatus status)
    {
        var (errorType, message) = status switch
        {
            NetstringStatus.TooLong => ("request-too-large", $"request larger than {_limits.MaxRequestBytes} bytes"),
            NetstringStatus.BadTerminator => ("bad-netstring", "bad netstring: no ',' after the payload"),
            _ => ("bad-netstring", "bad netstring: the length is not digits followed by ':'"),
        };
        _telemetry.ProtocolError(errorType);
        LogProtocolError(_logger, Id, Peer, message);
        return SocketmapReplies.Perm(message);
    }

    [LoggerMessage(EventId = 202, EventName = "ProtocolError", Level = LogLevel.Warning, Message = "Connection {ConnectionId} from {Peer}: {Problem}; answered PERM and closed")]
    private static partial void LogProtocolError(ILogger logger, long connectionId, string peer, string problem);

    [LoggerMessage(EventId = 203, EventName = "ConnectionTimedOut", Level = LogLevel.Warning, Message = "Connection {ConnectionId} from {Peer}: waited {Seconds} s for {What}; closed")]
    private static partial void LogTimedOut(ILogger logger, long connectionId, string peer, string what, double seconds);

    [LoggerMessage(EventId = 211, EventName = "ConnectionClosed", Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {Peer} ended: {Reason}")]
    private static partial void LogClosed(ILogger logger, long connectionId, string peer, string reason);
}
