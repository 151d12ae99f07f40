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

    /// <summary>Runs until the client closes, a limit is hit, or the server stops (asynchronous I/O, any number of connections).</summary>
    public async Task RunAsync()
    {
        var batch = new Batch(_limits);
        var reason = "closed by the client";
        try
        {
            while (!_stopping)
            {
                SetState(batch.Filled == 0 ? ConnectionState.Idle : ConnectionState.Reading);
                var received = await _socket.ReceiveAsync(batch.Free, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    reason = batch.Filled == 0 ? "closed by the client" : "closed by the client in the middle of a request";
                    break;
                }

                batch.Filled += received;
                Step step;
                do
                {
                    step = ProcessSome(batch);
                    if (batch.Waiting.Count > 0)
                    {
                        SetState(ConnectionState.Resolving);
                        foreach (var answer in batch.Waiting)
                        {
                            Answered(batch, await _responder.CompleteAsync(answer).ConfigureAwait(false));
                        }

                        batch.Waiting.Clear();
                    }

                    if (batch.Output.Length > 0)
                    {
                        BeginWrite();
                        await _socket.SendAsync(batch.Output.Written, SocketFlags.None).ConfigureAwait(false);
                        batch.Output.Clear();
                    }
                }
                while (step == Step.More);

                if (step == Step.Fatal)
                {
                    reason = "protocol error";
                    break;
                }

                batch.Compact();
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
            End(batch, reason);
        }
    }

    /// <summary>
    /// The same loop with blocking I/O on a thread of its own: the kernel wakes this thread when a request arrives, with no
    /// hop through the socket engine and the thread pool, which roughly halves the cost of a request when each connection
    /// has one request in flight (what Postfix does). Used for the first connections (<c>Limits:DedicatedThreads</c>).
    /// </summary>
    public void RunBlocking()
    {
        var batch = new Batch(_limits);
        var reason = "closed by the client";
        try
        {
            while (!_stopping)
            {
                SetState(batch.Filled == 0 ? ConnectionState.Idle : ConnectionState.Reading);
                var received = _socket.Receive(batch.Free.Span, SocketFlags.None);
                if (received == 0)
                {
                    reason = batch.Filled == 0 ? "closed by the client" : "closed by the client in the middle of a request";
                    break;
                }

                batch.Filled += received;
                Step step;
                do
                {
                    step = ProcessSome(batch);
                    if (batch.Waiting.Count > 0)
                    {
                        SetState(ConnectionState.Resolving);
                        foreach (var answer in batch.Waiting)
                        {
                            // This thread is the connection's own: waiting here blocks nothing else.
                            Answered(batch, _responder.CompleteAsync(answer).AsTask().GetAwaiter().GetResult());
                        }

                        batch.Waiting.Clear();
                    }

                    if (batch.Output.Length > 0)
                    {
                        BeginWrite();
                        _socket.Send(batch.Output.Written.Span, SocketFlags.None);
                        batch.Output.Clear();
                    }
                }
                while (step == Step.More);

                if (step == Step.Fatal)
                {
                    reason = "protocol error";
                    break;
                }

                batch.Compact();
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
            End(batch, reason);
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

    private void BeginWrite()
    {
        Volatile.Write(ref _since, _time.GetTimestamp());
        _state = ConnectionState.Writing;
    }

    /// <summary>
    /// Answers the whole requests received, in order: replies known at once go to the output; once one waits for the
    /// resolver, the rest of the batch waits behind it (their resolutions already run). Stops at a partial request
    /// (<see cref="Step.NeedMore"/>), when the output is large enough to send first (<see cref="Step.More"/>), or at a
    /// framing error, whose PERM reply ends the output (<see cref="Step.Fatal"/>).
    /// </summary>
    private Step ProcessSome(Batch batch)
    {
        while (batch.Offset < batch.Filled)
        {
            var status = Netstring.TryRead(batch.Buffer.AsSpan(batch.Offset, batch.Filled - batch.Offset), _limits.MaxRequestBytes, out var start, out var length, out var consumed);
            if (status == NetstringStatus.NeedMore)
            {
                return Step.NeedMore;
            }

            if (status != NetstringStatus.Complete)
            {
                var perm = ProtocolError(status);
                if (batch.Waiting.Count > 0)
                {
                    batch.Waiting.Add(SocketmapAnswer.Completed(perm));
                }
                else
                {
                    Answered(batch, perm);
                }

                return Step.Fatal;
            }

            var began = _telemetry.DurationEnabled ? _time.GetTimestamp() : 0;
            var answer = _responder.Begin(batch.Buffer.AsSpan(batch.Offset + start, length));
            batch.Offset += consumed;
            if (answer.Reply is { } reply && batch.Waiting.Count == 0)
            {
                batch.Output.Append(reply);
                _telemetry.Answered(reply, began == 0 ? null : _time.GetElapsedTime(began).TotalSeconds);
                if (batch.Output.Length >= _limits.FlushThreshold)
                {
                    return Step.More;
                }
            }
            else
            {
                batch.Waiting.Add(answer);
            }
        }

        return Step.NeedMore;
    }

    private void Answered(Batch batch, byte[] reply)
    {
        batch.Output.Append(reply);
        _telemetry.Answered(reply, null);
    }

    private void End(Batch batch, string reason)
    {
        _state = ConnectionState.Closed;
        _socket.Dispose();
        batch.Dispose();
        LogClosed(_logger, Id, Peer, reason);
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

    /// <summary>Where <see cref="ProcessSome"/> stopped.</summary>
    private enum Step
    {
        NeedMore,
        More,
        Fatal,
    }

    [LoggerMessage(EventId = 202, EventName = "ProtocolError", Level = LogLevel.Warning, Message = "Connection {ConnectionId} from {Peer}: {Problem}; answered PERM and closed")]
    private static partial void LogProtocolError(ILogger logger, long connectionId, string peer, string problem);

    [LoggerMessage(EventId = 203, EventName = "ConnectionTimedOut", Level = LogLevel.Warning, Message = "Connection {ConnectionId} from {Peer}: waited {Seconds} s for {What}; closed")]
    private static partial void LogTimedOut(ILogger logger, long connectionId, string peer, string what, double seconds);

    [LoggerMessage(EventId = 211, EventName = "ConnectionClosed", Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {Peer} ended: {Reason}")]
    private static partial void LogClosed(ILogger logger, long connectionId, string peer, string reason);
}
