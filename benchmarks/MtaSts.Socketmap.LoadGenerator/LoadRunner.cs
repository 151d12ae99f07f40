using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>
/// Runs one measurement: one thread per connection with a blocking socket (the cheapest client, so that the server, not
/// the generator, is what is measured), keys taken in turn from the list (each connection starting elsewhere in it), a
/// warm-up whose requests are not counted, then the measured window. Latency is from a request's send to its reply.
/// </summary>
internal static class LoadRunner
{
    public static LoadResult Run(LoadSettings settings)
    {
        var requests = settings.Keys.Select(k => Encode(settings.Name + " " + k)).ToArray();
        var workers = new Worker[settings.Connections];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(settings, requests, offset: i * requests.Length / workers.Length);
        }

        var threads = workers.Select(w => new Thread(w.Run) { IsBackground = true, Name = "socketmap-load" }).ToArray();
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        foreach (var worker in workers)
        {
            worker.MeasureFrom = measureFrom;
            worker.MeasureTo = measureTo;
        }

        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        if (workers.FirstOrDefault(w => w.Failure is not null) is { } failed)
        {
            throw new InvalidOperationException("A load connection failed: " + failed.Failure!.Message, failed.Failure);
        }

        var latencies = workers.SelectMany(w => w.Latencies.Take(w.Count)).ToArray();
        Array.Sort(latencies);
        var count = latencies.LongLength;
        double Percentile(double p) => count == 0 ? double.NaN : latencies[Math.Min(count - 1, (long)Math.Ceiling(p * count) - 1)] * 1_000_000.0 / Stopwatch.Frequency;
        return new LoadResult(count, settings.Duration.TotalSeconds, Percentile(0.50), Percentile(0.99), workers.Sum(w => w.Errors));
    }

    public static byte[] Encode(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":"), .. bytes, (byte)','];
    }

    private sealed class Worker(LoadSettings settings, byte[][] requests, int offset)
    {
        private readonly byte[] _buffer = new byte[256 * 1024];
        private readonly Queue<long> _sentAt = new();
        private byte[] _sendBuffer = new byte[4096];
        private int _next = offset;
        private int _start;
        private int _end;

        public long MeasureFrom { get; set; }

        public long MeasureTo { get; set; }

        public long[] Latencies { get; private set; } = new long[1 << 16];

        public int Count { get; private set; }

        public long Errors { get; private set; }

        public Exception? Failure { get; private set; }

        public void Run()
        {
            try
            {
                using var socket = ServerUnderTest.Connect(settings.Target);
                var depth = settings.Mode == LoadMode.OneInFlight ? 1 : settings.Depth;
                Send(socket, depth);
                while (true)
                {
                    var replies = Receive(socket);
                    var now = Stopwatch.GetTimestamp();
                    for (var i = 0; i < replies; i++)
                    {
                        var sent = _sentAt.Dequeue();
                        if (sent >= MeasureFrom && now <= MeasureTo)
                        {
                            Record(now - sent);
                        }
                    }

                    if (now > MeasureTo)
                    {
                        break;
                    }

                    Send(socket, replies);
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
            {
                Failure = ex;
            }
        }

        private void Send(Socket socket, int count)
        {
            var now = Stopwatch.GetTimestamp();
            var length = 0;
            for (var i = 0; i < count; i++)
            {
                var request = requests[_next];
                if (length + request.Length > _sendBuffer.Length)
                {
                    Array.Resize(ref _sendBuffer, Math.Max(_sendBuffer.Length * 2, length + request.Length));
                }

                Buffer.BlockCopy(request, 0, _sendBuffer, length, request.Length);
                length += request.Length;
                _next = (_next + 1) % requests.Length;
                _sentAt.Enqueue(now);
            }

            socket.Send(_sendBuffer.AsSpan(0, length));
        }

        /// <summary>Reads until at least one whole reply is there; returns how many were read.</summary>
        private int Receive(Socket socket)
        {
            var replies = 0;
            while (replies == 0)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                var received = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
                if (received == 0)
                {
                    throw new IOException("The server closed the connection.");
                }

                _end += received;
                while (TryReadReply(out var ok))
                {
                    replies++;
                    if (!ok)
                    {
                        Errors++;
                    }
                }
            }

            return replies;
        }

        private bool TryReadReply(out bool ok)
        {
            ok = true;
            var span = _buffer.AsSpan(_start, _end - _start);
            var colon = span.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }

            var length = 0;
            foreach (var digit in span[..colon])
            {
                length = (length * 10) + (digit - '0');
            }

            if (span.Length < colon + length + 2)
            {
                return false;
            }

            if (span[colon + 1 + length] != (byte)',')
            {
                throw new InvalidDataException("The server's reply is not a netstring.");
            }

            // OK and NOTFOUND are answers; TEMP, TIMEOUT and PERM are errors.
            ok = span[colon + 1] is (byte)'O' or (byte)'N';
            _start += colon + length + 2;
            return true;
        }

        private void Record(long ticks)
        {
            if (Count == Latencies.Length)
            {
                var larger = new long[Latencies.Length * 2];
                Array.Copy(Latencies, larger, Count);
                Latencies = larger;
            }

            Latencies[Count++] = ticks;
        }
    }
}
