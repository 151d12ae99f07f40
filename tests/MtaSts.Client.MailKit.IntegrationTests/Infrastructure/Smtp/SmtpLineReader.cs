namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// Reads an SMTP byte stream line by line (each line returned with its CRLF or LF), or as exact byte counts (BDAT
/// chunks), through one buffer, so that nothing read ahead is lost between the two modes.
/// </summary>
internal sealed class SmtpLineReader
{
    /// <summary>A line longer than this is returned in pieces (only the last one ends with a line feed).</summary>
    public const int MaxSegmentLength = 16 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[MaxSegmentLength * 2];
    private int _start;
    private int _end;

    public SmtpLineReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Whether bytes were read from the stream but not yet handed out.</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>
    /// The next line including its line feed, a piece of a line longer than <see cref="MaxSegmentLength"/>, the
    /// unterminated rest of the stream at its end, or <see langword="null"/> at the end of the stream.
    /// </summary>
    public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searched = 0;
        while (true)
        {
            var available = _end - _start;
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start + searched, available - searched);
            if (newline >= 0)
            {
                return Take(newline - _start + 1);
            }

            if (available >= MaxSegmentLength)
            {
                return Take(MaxSegmentLength);
            }

            searched = available;
            if (_end == _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, available);
                _start = 0;
                _end = available;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return available > 0 ? Take(available) : null;
            }

            _end += read;
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>'s length bytes (buffered ones first); 0 at the end of the stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(destination);
            _start += count;
            return count;
        }

        return await _stream.ReadAsync(destination, cancellationToken);
    }

    private byte[] Take(int count)
    {
        var line = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }

        return line;
    }
}
