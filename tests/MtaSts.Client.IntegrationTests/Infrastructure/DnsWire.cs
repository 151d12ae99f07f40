using System.Buffers.Binary;
using System.Text;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>The few bits of the DNS wire format (RFC 1035 section 4) that the counting proxy needs.</summary>
internal static class DnsWire
{
    private const int HeaderLength = 12;

    /// <summary>Reads the first question of a DNS message.</summary>
    /// <returns><see langword="false"/> when the message is not a query with at least one well-formed question.</returns>
    public static bool TryReadQuestion(ReadOnlySpan<byte> message, out string name, out ushort type) =>
        TryReadQuestion(message, out name, out type, out _);

    /// <summary>Builds a SERVFAIL response to <paramref name="query"/> (same ID, opcode, RD flag and question; no records).</summary>
    public static byte[]? CreateServerFailure(ReadOnlySpan<byte> query)
    {
        if (!TryReadQuestion(query, out _, out _, out var questionEnd))
        {
            return null;
        }

        var response = query[..questionEnd].ToArray();
        response[2] = (byte)(0x80 | (query[2] & 0x79)); // QR=1, keep opcode and RD, AA=0, TC=0
        response[3] = 0x02; // RA=0, Z=0, RCODE=SERVFAIL
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(6), 0);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(10), 0);
        return response;
    }

    /// <summary>Builds an empty response to <paramref name="query"/> with the given RCODE (3: NXDOMAIN), as if authoritative.</summary>
    public static byte[]? CreateResponse(ReadOnlySpan<byte> query, byte rcode)
    {
        var response = CreateServerFailure(query);
        if (response is not null)
        {
            response[2] |= 0x04; // AA
            response[3] = rcode;
        }

        return response;
    }

    /// <summary>
    /// Builds a response with one answer record whose owner name is a compression pointer: to itself (a loop) or past the
    /// end of the message.
    /// </summary>
    public static byte[]? CreateAnswerWithPointer(ReadOnlySpan<byte> query, bool selfLoop)
    {
        if (CreateResponse(query, rcode: 0) is not { } header)
        {
            return null;
        }

        var pointerAt = header.Length;
        var target = selfLoop ? pointerAt : 0x3FFF;
        var answer = new List<byte>(header)
        {
            (byte)(0xC0 | (target >> 8)), (byte)target, // NAME: a pointer
            0, 16, 0, 1, 0, 0, 0, 60, 0, 2, 1, (byte)'x', // TXT IN TTL 60, RDATA "x"
        };
        var message = answer.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), 1);
        return message;
    }

    /// <summary>Builds a response carrying 24 TXT records of 250 bytes (about 6 KiB), more than a UDP reader takes.</summary>
    public static byte[]? CreateOversizedTxtAnswer(ReadOnlySpan<byte> query)
    {
        if (CreateResponse(query, rcode: 0) is not { } header)
        {
            return null;
        }

        var message = new List<byte>(header);
        const int Records = 24;
        for (var i = 0; i < Records; i++)
        {
            message.AddRange([0xC0, HeaderLength, 0, 16, 0, 1, 0, 0, 0, 60, 0, 251, 250]);
            message.AddRange(Enumerable.Repeat((byte)'a', 250));
        }

        var bytes = message.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), Records);
        return bytes;
    }

    private static bool TryReadQuestion(ReadOnlySpan<byte> message, out string name, out ushort type, out int questionEnd)
    {
        name = string.Empty;
        type = 0;
        questionEnd = 0;
        if (message.Length < HeaderLength)
        {
            return false;
        }

        var isResponse = (message[2] & 0x80) != 0;
        var questionCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        if (isResponse || questionCount == 0)
        {
            return false;
        }

        var builder = new StringBuilder();
        var offset = HeaderLength;
        while (true)
        {
            if (offset >= message.Length)
            {
                return false;
            }

            int length = message[offset++];
            if (length == 0)
            {
                break;
            }

            // Questions are never compressed in practice; a pointer or an extended label type is treated as malformed.
            if (length > 63 || offset + length > message.Length)
            {
                return false;
            }

            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            builder.Append(Encoding.Latin1.GetString(message.Slice(offset, length)));
            offset += length;
        }

        if (offset + 4 > message.Length)
        {
            return false;
        }

        name = Normalize(builder.ToString());
        type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        questionEnd = offset + 4;
        return true;
    }

    /// <summary>Lower-cases a domain name and strips its trailing dot, so that counts can be looked up either way.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
#pragma warning disable CA1308 // DNS names are compared case-insensitively; lower case is the conventional presentation.
        return name.Trim().TrimEnd('.').ToLowerInvariant();
#pragma warning restore CA1308
    }
}
