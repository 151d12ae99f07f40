using System.Buffers;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// A connection's buffers: the bytes received (one partial request at most is kept between reads), the replies to send,
/// and the answers waiting for the resolver. Pooled; bounded by the largest request and one batch of replies.
/// </summary>
internal sealed class Batch : IDisposable
{
    public Batch(SocketmapLimits limits) => Buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, limits.MaxRequestBytes + 8));

    public byte[] Buffer { get; private set; }

    /// <summary>Gets or sets the bytes received so far.</summary>
    public int Filled { get; set; }

    /// <summary>Gets or sets the bytes already answered.</summary>
    public int Offset { get; set; }

    public ReplyBuffer Output { get; } = new();

    public List<SocketmapAnswer> Waiting { get; } = [];

    /// <summary>Gets the free part of the receive buffer.</summary>
    public Memory<byte> Free => Buffer.AsMemory(Filled);

    /// <summary>Moves the partial request that follows the answered ones to the start of the buffer.</summary>
    public void Compact()
    {
        if (Offset > 0)
        {
            System.Buffer.BlockCopy(Buffer, Offset, Buffer, 0, Filled - Offset);
            Filled -= Offset;
            Offset = 0;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
        Output.Dispose();
    }
}
