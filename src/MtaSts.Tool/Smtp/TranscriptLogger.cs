using System.Text;
using global::MailKit;

namespace MtaSts.Tool.Smtp;

/// <summary>
/// Records the SMTP dialogue as MailKit sees it (after TLS, decrypted): the server's replies, to read the greeting and
/// the first EHLO reply, and the commands sent, to show that the probe never sends MAIL FROM.
/// </summary>
internal sealed class TranscriptLogger : IProtocolLogger
{
    private readonly StringBuilder _server = new();
    private readonly StringBuilder _client = new();

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count) => _client.Append(Encoding.Latin1.GetString(buffer, offset, count));

    public void LogServer(byte[] buffer, int offset, int count) => _server.Append(Encoding.Latin1.GetString(buffer, offset, count));

    /// <summary>Gets the commands sent, one per line.</summary>
    public IReadOnlyList<string> Commands => Lines(_client);

    /// <summary>Gets the greeting: the first reply.</summary>
    public string? Greeting => Replies().FirstOrDefault() is { } reply ? string.Join(" / ", reply) : null;

    /// <summary>Gets the EHLO keywords of the first EHLO reply (before any STARTTLS), without the first line.</summary>
    public IReadOnlyList<string> Capabilities =>
        Replies().Skip(1).FirstOrDefault(r => r.Count > 0 && r[0].StartsWith("250", StringComparison.Ordinal)) is { } ehlo
            ? [.. ehlo.Skip(1).Select(l => l.Length > 4 ? l[4..] : "")]
            : [];

    public void Dispose()
    {
    }

    /// <summary>The server's replies, each as its lines (a multi-line reply is "250-…" lines ending with "250 …").</summary>
    private List<List<string>> Replies()
    {
        var replies = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in Lines(_server))
        {
            (current ??= []).Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                replies.Add(current);
                current = null;
            }
        }

        return replies;
    }

    private static List<string> Lines(StringBuilder text) =>
        [.. text.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
}
