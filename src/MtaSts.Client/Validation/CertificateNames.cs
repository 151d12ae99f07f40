using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>RFC 6125 §6.4 DNS-ID matching against a certificate's SAN dNSName entries only.</summary>
internal static class CertificateNames
{
    /// <summary>
    /// Whether a SAN dNSName of <paramref name="certificate"/> matches <paramref name="hostName"/>: equal ignoring ASCII
    /// case, or <c>*.</c> followed by the host minus its first label. A <c>*</c> anywhere else, or inside a label,
    /// never matches (RFC 8461 §3.3 and RFC 9525). The subject CN is never consulted.
    /// </summary>
    public static bool MatchesSanDnsName(X509Certificate2 certificate, string hostName)
    {
        var host = hostName.AsSpan().TrimEnd('.');
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension san)
            {
                if (extension.Oid?.Value != "2.5.29.17")
                {
                    continue;
                }

                san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
            }

            foreach (var name in san.EnumerateDnsNames())
            {
                if (Matches(name, host))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Matches one presented DNS-ID against a reference host name.</summary>
    public static bool Matches(ReadOnlySpan<char> presented, ReadOnlySpan<char> host)
    {
        presented = presented.TrimEnd('.');
        if (presented.IsEmpty || host.IsEmpty)
        {
            return false;
        }

        if (!presented.StartsWith("*."))
        {
            return !presented.Contains('*') && presented.Equals(host, StringComparison.OrdinalIgnoreCase);
        }

        var suffix = presented[2..];
        var dot = host.IndexOf('.');

        // The wildcard is the whole left-most label and stands for exactly one non-empty label; the rest must be
        // a name of at least two labels so that "*.com"-style certificates never match.
        return dot > 0
            && !suffix.Contains('*')
            && suffix.Contains('.')
            && host[(dot + 1)..].Equals(suffix, StringComparison.OrdinalIgnoreCase);
    }
}
