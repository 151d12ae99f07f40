using System.Globalization;
using System.Net;

namespace MtaSts.Tool.Cli;

/// <summary>Checks a domain argument before any network traffic: exit 2 with one line when it is not a domain name.</summary>
internal static class DomainName
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>Returns the domain in A-labels, lower case, without a trailing dot.</summary>
    /// <exception cref="ToolException">Not a domain name (exit 2).</exception>
    public static string Normalize(string value)
    {
        var name = value.Trim();
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        if (name.Length == 0)
        {
            throw ToolException.Usage("the domain is empty.");
        }

        if (name[0] == '[' || IPAddress.TryParse(name, out _))
        {
            throw ToolException.Usage($"'{value}' is an address literal, not a domain name; address literals have no MTA-STS policy (RFC 8461 §3.4).");
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            throw ToolException.Usage($"'{value}' is not a domain name (labels of letters, digits and hyphens separated by dots).");
        }

        if (!ascii.Contains('.', StringComparison.Ordinal) || ascii.Contains('*', StringComparison.Ordinal) || !MxPattern.TryParse(ascii, out _))
        {
            throw ToolException.Usage($"'{value}' is not a domain name (labels of letters, digits and hyphens separated by dots, at least two labels).");
        }

        return ascii;
    }
}
