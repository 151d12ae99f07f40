using System.Net;
using System.Net.NetworkInformation;

namespace MtaSts.MailKit;

/// <summary>The name this machine gives in EHLO (RFC 5321 §4.1.4: its fully qualified domain name, or an address literal).</summary>
internal static class HeloNames
{
    public static string HostName()
    {
        try
        {
            return Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "";
        }
    }

    /// <summary>Gets the machine's fully qualified name, or <see langword="null"/> when it has none.</summary>
    public static string? MachineName()
    {
        try
        {
            var properties = IPGlobalProperties.GetIPGlobalProperties();
            var host = properties.HostName.TrimEnd('.');
            if (IsFullyQualified(host))
            {
                return host;
            }

            var domain = properties.DomainName.Trim('.');
            if (domain.Length > 0 && domain != "(none)" && IsFullyQualified(host + "." + domain))
            {
                return host + "." + domain;
            }

            // The canonical name from the hosts file or DNS, as `hostname -f` gives it.
            var canonical = Dns.GetHostEntry(host).HostName.TrimEnd('.');
            return IsFullyQualified(canonical) ? canonical : null;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or NetworkInformationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="name"/> may go in EHLO: a fully qualified LDH name or an address literal.</summary>
    public static bool IsValid(string name)
    {
        if (name.Length is 0 or > 255)
        {
            return false;
        }

        if (name[0] == '[' && name[^1] == ']')
        {
            // RFC 5321 §4.1.3 address literals: digits, hex, dots and colons only (no zone ids, no spaces, no CR or LF).
            var literal = name[1..^1];
            var address = literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase) ? literal[5..] : literal;
            return address.Length > 0 && address.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':') && IPAddress.TryParse(address, out _);
        }

        return IsFullyQualified(name);
    }

    private static bool IsFullyQualified(string name) =>
        name.Contains('.', StringComparison.Ordinal) && !name.EndsWith(".localdomain", StringComparison.OrdinalIgnoreCase)
        && name.Split('.').All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
}
