using System.Buffers.Text;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// Netstrings (<c>&lt;length&gt;:&lt;bytes&gt;,</c>, D. J. Bernstein), the framing of every socketmap request and reply.
/// Parsing works on whatever bytes have arrived and never allocates.
/// </summary>
internal static class Netstring
{
    /// <summary>The most length digits accepted: enough for any limit the server allows (a 65,536-byte request).</summary>
    private const int MaxLengthDigits = 5;

    /// <summary>
    /// Reads one netstring from the start of <paramref name="buffer"/>.
    /// </summary>
    /// <param name="buffer">The bytes received and not consumed yet.</param>
    /// <param name="maxPayload">The largest payload accepted; a longer declared length is <see cref="NetstringStatus.TooLong"/>
    /// as soon as its digits are seen, before any payload arrives.</param>
    /// <param name="payloadStart">Where the payload starts, when complete.</param>
    /// <param name="payloadLength">The payload's length, when complete.</param>
    /// <param name="consumed">The bytes the netstring takes, terminator included, when complete.</param>
    /// <returns>Whether a netstring was read, more bytes are needed, or the bytes cannot be a netstring.</returns>
    public static NetstringStatus TryRead(ReadOnlySpan<byte> buffer, int maxPayload, out int payloadStart, out int payloadLength, out int consumed)
    {
        payloadStart = 0;
        payloadLength = 0;
        consumed = 0;
        var length = 0;
        var digits = 0;
        while (true)
        {
            if (digits == buffer.Length)
            {
                // Only digits so far: wait for the colon, unless the length is already too large or too long to be one.
                return digits > MaxLengthDigits ? NetstringStatus.TooLong : NetstringStatus.NeedMore;
            }

            var b = buffer[digits];
            if (b == (byte)':')
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                return NetstringStatus.BadLength;
            }

            // "012:" is not canonical, but Postfix never sends it and other readers accept it; a leading zero costs nothing.
            length = (length * 10) + (b - '0');
            digits++;
            if (digits > MaxLengthDigits || length > maxPayload)
            {
                return NetstringStatus.TooLong;
            }
        }

        if (digits == 0)
        {
            return NetstringStatus.BadLength;
        }

        var start = digits + 1;
        var end = start + length;
        if (buffer.Length <= end)
        {
            return NetstringStatus.NeedMore;
        }

        if (buffer[end] != (byte)',')
        {
            return NetstringStatus.BadTerminator;
        }

        payloadStart = start;
        payloadLength = length;
        consumed = end + 1;
        return NetstringStatus.Complete;
    }

    /// <summary>The size of the netstring that holds <paramref name="payloadLength"/> bytes.</summary>
    public static int EncodedLength(int payloadLength) => DigitCount(payloadLength) + payloadLength + 2;

    /// <summary>Writes <paramref name="payload"/> as a netstring at the start of <paramref name="destination"/>.</summary>
    /// <returns>The bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Write(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!Utf8Formatter.TryFormat(payload.Length, destination, out var digits) || destination.Length < digits + payload.Length + 2)
        {
            throw new ArgumentException("The destination is too small for the netstring.", nameof(destination));
        }

        destination[digits] = (byte)':';
        payload.CopyTo(destination[(digits + 1)..]);
        destination[digits + 1 + payload.Length] = (byte)',';
        return digits + payload.Length + 2;
    }

    /// <summary>Returns <paramref name="payload"/> as a netstring.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[EncodedLength(payload.Length)];
        Write(payload, bytes);
        return bytes;
    }

    private static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
