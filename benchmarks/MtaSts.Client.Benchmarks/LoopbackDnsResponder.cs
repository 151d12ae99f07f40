using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.Benchmarks;

/// <summary>
/// A minimal authoritative DNS responder on 127.0.0.1 (UDP) for the cold-resolution benchmark: TXT at any
/// <c>_mta-sts.*</c> name answers <c>v=STSv1; id=bench1</c>, A at any name answers 127.0.0.1, everything else NODATA.
/// It answers as fast as a socket allows, so that what is measured is the client's work.
/// </summary>
internal sealed class LoopbackDnsResponder : IDisposable
{
    private static readonly byte[] TxtRdata = [(byte)"v=STSv1; id=bench1".Length, .. "v=STSv1; id=bench1"u8.ToArray()];
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public LoopbackDnsResponder()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(RunAsync);
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _stopping.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var buffer = new byte[512];
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP "port unreachable" for an earlier answer (its client had gone): carry on.
                continue;
            }

            if (Answer(buffer.AsSpan(0, received.ReceivedBytes)) is { } answer)
            {
                try
                {
                    await _socket.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint);
                }
                catch (SocketException)
                {
                }
            }
        }
    }

    private static byte[]? Answer(ReadOnlySpan<byte> query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1)
        {
            return null;
        }

        var offset = 12;
        var first = true;
        var isMtaSts = false;
        while (offset < query.Length && query[offset] != 0)
        {
            var length = query[offset];
            if (first)
            {
                isMtaSts = query.Slice(offset + 1, length).SequenceEqual("_mta-sts"u8);
                first = false;
            }

            offset += length + 1;
        }

        var questionEnd = offset + 5;
        if (questionEnd > query.Length)
        {
            return null;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(query[(offset + 1)..]);
        byte[] rdata = type switch
        {
            16 when isMtaSts => TxtRdata,
            1 => [127, 0, 0, 1],
            _ => [],
        };
        var response = new byte[questionEnd + (rdata.Length == 0 ? 0 : 12 + rdata.Length)];
        query[..questionEnd].CopyTo(response);
        response[2] = (byte)(0x84 | (query[2] & 0x01)); // QR, AA, keep RD
        response[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(6), (ushort)(rdata.Length == 0 ? 0 : 1));
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(8), 0); // no authority, no additional (the query's EDNS record is not echoed)
        if (rdata.Length > 0)
        {
            var at = questionEnd;
            response[at] = 0xC0;
            response[at + 1] = 12; // the question's name
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(at + 4), 1);
            BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(at + 6), 1);
            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(at + 10), (ushort)rdata.Length);
            rdata.CopyTo(response.AsSpan(at + 12));
        }

        return response;
    }
}
