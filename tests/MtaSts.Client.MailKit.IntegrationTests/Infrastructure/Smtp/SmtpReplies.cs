using System.Text;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>Helpers for SMTP replies as the proxies see them: lists of lines such as <c>250-PIPELINING</c>, without CRLF.</summary>
internal static class SmtpReplies
{
    public const string StartTls = "STARTTLS";

    /// <summary>Whether <paramref name="line"/> is the last line of a reply (<c>250 text</c> rather than <c>250-text</c>).</summary>
    public static bool IsLastLine(string line) => line.Length < 4 || line[3] != '-';

    /// <summary>The three-digit reply code, or 0 when the reply is malformed.</summary>
    public static int Code(IReadOnlyList<string> lines) =>
        lines.Count > 0 && lines[0].Length >= 3 && int.TryParse(lines[0].AsSpan(0, 3), out var code) ? code : 0;

    /// <summary>Whether the EHLO reply line (not the first one, which names the server) advertises STARTTLS.</summary>
    public static bool IsStartTlsKeyword(string line) =>
        line.Length > 4 && line.AsSpan(4).Trim().Equals(StartTls, StringComparison.OrdinalIgnoreCase);

    /// <summary>Removes every STARTTLS keyword from a 2xx EHLO reply and renumbers the separators.</summary>
    public static IReadOnlyList<string> WithoutStartTls(IReadOnlyList<string> lines)
    {
        if (Code(lines) / 100 != 2)
        {
            return lines;
        }

        var kept = lines.Where((line, index) => index == 0 || !IsStartTlsKeyword(line)).ToList();
        return kept.Count == lines.Count ? lines : Renumber(kept);
    }

    /// <summary>Adds a STARTTLS keyword to a 2xx EHLO reply that lacks one.</summary>
    public static IReadOnlyList<string> WithStartTls(IReadOnlyList<string> lines)
    {
        if (Code(lines) / 100 != 2 || lines.Skip(1).Any(IsStartTlsKeyword))
        {
            return lines;
        }

        var extended = lines.ToList();
        extended.Add(lines[0][..3] + " " + StartTls);
        return Renumber(extended);
    }

    /// <summary>Makes every line but the last use <c>code-</c> and the last one <c>code </c> (RFC 5321 §4.2.1).</summary>
    public static IReadOnlyList<string> Renumber(IReadOnlyList<string> lines)
    {
        var result = new List<string>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var text = line.Length > 4 ? line[4..] : string.Empty;
            result.Add(line[..Math.Min(3, line.Length)] + (i == lines.Count - 1 ? " " : "-") + text);
        }

        return result;
    }

    /// <summary>The reply as it goes on the wire: every line followed by CRLF.</summary>
    public static byte[] Encode(IReadOnlyList<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(builder.ToString());
    }

    /// <summary>A line's text without its line ending, bytes mapped one to one (Latin-1).</summary>
    public static string Text(byte[] line)
    {
        var length = line.Length;
        if (length > 0 && line[length - 1] == '\n')
        {
            length--;
            if (length > 0 && line[length - 1] == '\r')
            {
                length--;
            }
        }

        return Encoding.Latin1.GetString(line, 0, length);
    }
}
