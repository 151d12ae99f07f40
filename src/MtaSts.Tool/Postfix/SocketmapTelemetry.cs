using System.Diagnostics.Metrics;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The socketmap server's instruments, on the tool's own meter <c>MtaSts.Tool</c> (the library's <c>MtaSts</c> meter is
/// internal to it and counts resolutions, cache hits and fetches). The same conventions: units stated, <c>error.type</c>
/// for failures, no domain names as tags. Listed in <c>docs/telemetry.md</c>.
/// </summary>
internal sealed class SocketmapTelemetry : IDisposable
{
    public const string MeterName = "MtaSts.Tool";

    private static readonly KeyValuePair<string, object?> ReplyOk = new("mtasts.socketmap.reply", "ok");
    private static readonly KeyValuePair<string, object?> ReplyNotFound = new("mtasts.socketmap.reply", "notfound");
    private static readonly KeyValuePair<string, object?> ReplyTemp = new("mtasts.socketmap.reply", "temp");
    private static readonly KeyValuePair<string, object?> ReplyPerm = new("mtasts.socketmap.reply", "perm");

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _errors;

    public SocketmapTelemetry(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("mtasts.socketmap.requests", "{request}", "Socketmap requests answered, by reply (ok, notfound, temp, perm).");
        _duration = _meter.CreateHistogram<double>("mtasts.socketmap.request.duration", "s", "Time from a whole request to its reply, resolution included.");
        _connections = _meter.CreateUpDownCounter<long>("mtasts.socketmap.connections", "{connection}", "Open client connections.");
        _errors = _meter.CreateCounter<long>("mtasts.socketmap.errors", "{error}", "Protocol errors and refused or timed-out connections, by error.type.");
    }

    /// <summary>Gets a value indicating whether anything listens to request durations (only then is the clock read per request).</summary>
    public bool DurationEnabled => _duration.Enabled;

    public void Answered(byte[] reply, double? seconds)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, Kind(reply));
        }

        if (seconds is { } s)
        {
            _duration.Record(s, Kind(reply));
        }
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void ProtocolError(string errorType) => _errors.Add(1, new KeyValuePair<string, object?>("error.type", errorType));

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Kind(byte[] reply)
    {
        if (ReferenceEquals(reply, SocketmapReplies.NotFound))
        {
            return ReplyNotFound;
        }

        var colon = Array.IndexOf(reply, (byte)':');
        return reply[colon + 1] switch
        {
            (byte)'O' => ReplyOk,
            (byte)'N' => ReplyNotFound,
            (byte)'P' => ReplyPerm,
            _ => ReplyTemp,
        };
    }
}
