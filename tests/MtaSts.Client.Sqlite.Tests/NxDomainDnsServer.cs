using System.Net;
using System.Net.Sockets;

namespace MtaSts.Sqlite.Tests;

/// <summary>
/// A UDP name server on 127.0.0.1 that answers every query NXDOMAIN at once and counts them: a resolver that has to
/// look a domain up finds no MTA-STS record quickly, and a test can tell whether it looked at all.
/// </summary>
public sealed class NxDomainDnsServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _queries;

    public NxDomainDnsServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int QueryCount => Volatile.Read(ref _queries);

    public void Dispose()
    {
        _stopping.Cancel();
        _socket.Dispose();
        try
        {
            _loop.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stopping.Dispose();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[4096];
        while (!_stopping.IsCancellationRequested)
        {
            var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, 0), _stopping.Token);
            if (received.ReceivedBytes < 12)
            {
                continue;
            }

            Interlocked.Increment(ref _queries);

            // The query echoed back as a response: QR and RA set, RCODE 3 (NXDOMAIN), no answers.
            var response = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            response[2] |= 0x80;
            response[3] = 0x83;
            await _socket.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint, _stopping.Token);
        }
    }
}
