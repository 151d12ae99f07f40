using System.Globalization;
using System.Text;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// Builds RFC 1035 zone file text for <see cref="KnotDnsServer"/>: <c>$ORIGIN</c>, <c>$TTL 1</c>, an SOA whose serial
/// comes from a process-wide counter (so every rewrite of any zone carries a higher serial than the one before), an NS
/// record, then the caller's record lines verbatim. Relative owner names are relative to the zone; every record
/// without an explicit TTL gets TTL 1, and the SOA minimum (negative caching TTL) is 1 as well.
/// </summary>
public static class ZoneText
{
    /// <summary>Name server target used in the NS record (outside every test zone, so it adds no records to them).</summary>
    public const string NameServer = "ns.dns.invalid.";

    private static long _lastSerial = 1000;

    /// <summary>Returns a serial higher than every serial handed out before in this process.</summary>
    public static uint NextSerial() => checked((uint)Interlocked.Increment(ref _lastSerial));

    /// <summary>Builds a zone with a fresh serial and the given record lines, for example <c>_mta-sts TXT "v=STSv1; id=1"</c>.</summary>
    public static string Build(string zoneName, params string[] records) => Build(zoneName, NextSerial(), records);

    /// <summary>Builds a zone with an explicit serial and the given record lines.</summary>
    public static string Build(string zoneName, uint serial, params string[] records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var origin = DnsWire.Normalize(zoneName) + ".";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"$ORIGIN {origin}\n");
        text.Append("$TTL 1\n");
        text.Append(CultureInfo.InvariantCulture, $"@ 1 IN SOA {NameServer} hostmaster.{origin} {serial} 1 1 1 1\n");
        text.Append(CultureInfo.InvariantCulture, $"@ 1 IN NS {NameServer}\n");
        foreach (var record in records)
        {
            text.Append(record).Append('\n');
        }

        return text.ToString();
    }
}
