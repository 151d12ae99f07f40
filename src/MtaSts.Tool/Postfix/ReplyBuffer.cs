using System.Buffers;

namespace MtaSts.Tool.Postfix;

/// <summary>The replies of one batch, gathered for one send; pooled and grown as needed.</summary>
internal sealed class ReplyBuffer : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Append(byte[] bytes)
    {
        if (Length + bytes.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + bytes.Length));
            Buffer.BlockCopy(_buffer, 0, larger, 0, Length);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        Buffer.BlockCopy(bytes, 0, _buffer, Length, bytes.Length);
        Length += bytes.Length;
    }

    public void Clear() => Length = 0;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
