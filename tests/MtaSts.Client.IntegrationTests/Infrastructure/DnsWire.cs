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
