using System.Buffers;
using System.Text;

namespace MtaSts.MailKit;

/// <summary>
/// The byte stream under MailKit for one session. It is where two guarantees are made structurally, below every catch
/// block: (1) when TLS is required, nothing but <c>EHLO</c>, <c>HELO</c>, <c>STARTTLS</c> and <c>QUIT</c> is ever written
/// before TLS, and after <c>STARTTLS</c> only TLS records — so no <c>MAIL</c>, <c>RCPT</c> or <c>DATA</c> can cross a
/// session without TLS, whatever MailKit or this package's code does (issue-8 rule 1); (2) every byte read or written
/// re-arms the session's inactivity timer (<see cref="MtaStsDeliveryOptions.CommandTimeout"/>).
/// </summary>
internal sealed class SessionTransport(Stream inner, bool tlsRequired, Action activity) : Stream
{
    private static readonly SearchValues<string> PlaintextCommands = SearchValues.Create(["EHLO ", "HELO ", "STARTTLS\r\n", "QUIT\r\n"], StringComparison.OrdinalIgnoreCase);
    private const int MaxCommandLine = 512;
    private bool _tlsStarted;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        activity();
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
        activity();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        activity();
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        activity();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Check(ReadOnlySpan<byte> data)
    {
        if (!tlsRequired || data.IsEmpty)
        {
            return;
        }

        if (_tlsStarted)
        {
            // A TLS record starts with its content type (20-23) and the major version 3 (RFC 8446 §5.1); SMTP text never does.
            if (data[0] is < 20 or > 23 || (data.Length > 1 && data[1] != 3))
            {
                throw new PlaintextRefusedException("Refused to write data that is not a TLS record after STARTTLS.");
            }

            return;
        }

        // Before TLS: exactly one command line of the allowed ones, at most 512 bytes (RFC 5321 §4.5.3.1.4), nothing after it.
        var text = Encoding.ASCII.GetString(data[..Math.Min(data.Length, 16)]);
        var lineEnd = data.IndexOf("\r\n"u8);
        if (text.AsSpan().IndexOfAny(PlaintextCommands) != 0 || lineEnd != data.Length - 2 || data.Length > MaxCommandLine)
        {
            var verb = text.Split(' ', '\r', ':')[0];
            throw new PlaintextRefusedException($"Refused to send '{verb}' before TLS: the policy requires it.");
        }

        if (text.StartsWith("STARTTLS\r\n", StringComparison.OrdinalIgnoreCase))
        {
            _tlsStarted = true;
        }
    }
}
