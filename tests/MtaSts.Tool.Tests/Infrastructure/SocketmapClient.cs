using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>A raw socketmap client over TCP or a unix socket: writes netstrings (or any bytes) and reads netstring replies.</summary>
public sealed class SocketmapClient : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private SocketmapClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<SocketmapClient> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint);
            return new SocketmapClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task<SocketmapClient> ConnectAsync(int port) => ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

    /// <summary>The netstring of <paramref name="payload"/> (UTF-8).</summary>
    public static byte[] Encode(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":"), .. bytes, (byte)','];
    }

    /// <summary>Sends one request and returns the reply's payload.</summary>
    public async Task<string> QueryAsync(string request, TimeSpan? timeout = null)
    {
        await SendRawAsync(Encode(request));
        return await ReadReplyAsync(timeout) ?? throw new IOException("The server closed the connection instead of replying.");
    }

    public async Task SendRawAsync(byte[] bytes) => await Socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads one netstring reply; <see langword="null"/> when the server closed the connection first.</summary>
    public async Task<string?> ReadReplyAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var colon = span.IndexOf((byte)':');
            if (colon > 0)
            {
                var length = int.Parse(Encoding.ASCII.GetString(span[..colon]), CultureInfo.InvariantCulture);
                if (span.Length >= colon + 1 + length + 1)
                {
                    if (span[colon + 1 + length] != (byte)',')
                    {
                        throw new InvalidDataException("The reply is not a netstring.");
                    }

                    var payload = Encoding.UTF8.GetString(span.Slice(colon + 1, length));
                    _start += colon + length + 2;
                    return payload;
                }
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var received = await Socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellation.Token);
            if (received == 0)
            {
                return null;
            }

            _end += received;
        }
    }

    /// <summary>Waits until the server closes the connection (reading and discarding); false if it is still open at the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var sink = new byte[4096];
        try
        {
            while (await Socket.ReceiveAsync(sink, SocketFlags.None, cancellation.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => Socket.Dispose();
}
