using System.Text;
using global::MailKit;

namespace MtaSts.MailKit;

/// <summary>
/// Watches one session's SMTP exchange as MailKit logs it (decrypted, after STARTTLS): caps the size of every server
/// reply (<see cref="MtaStsDeliveryOptions.MaxReplyBytes"/>; issue-8 rule 8), remembers the last command sent (to tell
/// which step a failure belongs to) and the server's name from its greeting or EHLO reply (TLS-RPT
/// <c>receiving-mx-helo</c>).
/// </summary>
internal sealed class SessionMonitor(int maxReplyBytes) : IProtocolLogger
{
    private readonly StringBuilder _line = new();
    private long _replyBytes;
    private bool _lineIsContinuation;

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>Gets the verb of the last command written (<c>EHLO</c>, <c>STARTTLS</c>, <c>MAIL</c>, …), or <see langword="null"/> before any.</summary>
    public string? LastCommand { get; private set; }

    /// <summary>Gets the first line of the server's greeting.</summary>
    public string? Greeting { get; private set; }

    /// <summary>Gets the name the server gave in its EHLO reply, or else in its greeting.</summary>
    public string? ServerName { get; private set; }

    /// <summary>Gets a value indicating whether a reply was cut off for being longer than the cap.</summary>
    public bool ReplyTooLong { get; private set; }

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
        // A command (or a chunk of the message after DATA) went out: whatever comes next is a new reply.
        var end = Math.Min(count, 16);
        var text = Encoding.ASCII.GetString(buffer, offset, end);
        var verb = text.Split(' ', '\r', ':')[0];
        if (verb.Length is >= 4 and <= 8 && verb.All(char.IsAsciiLetter))
        {
            LastCommand = verb.ToUpperInvariant();
        }

        // A command went out: a new reply starts. A partial line the server left (such as bytes injected after the 220 to
        // STARTTLS, which MailKit drops at the switch to TLS) must not leak into it; the EHLO reply inside TLS then
        // replaces the name learnt before it.
        _replyBytes = 0;
        _line.Clear();
        _lineIsContinuation = false;
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            _replyBytes++;
            var b = buffer[i];
            if (b == '\n')
            {
                EndLine();
            }
            else if (_line.Length < 512)
            {
                _line.Append((char)b);
            }
        }

        if (_replyBytes > maxReplyBytes)
        {
            ReplyTooLong = true;
            throw new IOException($"The server's reply exceeded {maxReplyBytes} bytes.");
        }
    }

    public void Dispose()
    {
    }

    private void EndLine()
    {
        var line = _line.ToString().TrimEnd('\r');
        _line.Clear();
        var firstOfReply = !_lineIsContinuation;
        _lineIsContinuation = line.Length > 3 && line[3] == '-';
        if (!_lineIsContinuation)
        {
            // The reply is complete: the next one starts counting afresh.
            _replyBytes = 0;
        }

        if (!firstOfReply || line.Length < 4)
        {
            return;
        }

        var name = line[4..].Split(' ', 2)[0];
        if (LastCommand is null && Greeting is null)
        {
            Greeting = line;
            ServerName = name.Length > 0 ? name : null;
        }
        else if (LastCommand is "EHLO" or "HELO" && line.StartsWith('2') && name.Length > 0)
        {
            ServerName = name;
        }
    }
}
