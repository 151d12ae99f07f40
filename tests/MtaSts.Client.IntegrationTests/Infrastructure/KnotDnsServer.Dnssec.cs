using System.Globalization;
using System.Security.Cryptography;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// DNSSEC for <see cref="KnotDnsServer"/>: zones that Knot signs itself (automatic signing with one ECDSA P-256 key made
/// by knotd when the zone is first loaded, NSEC), and the DS record of such a zone for its parent or a resolver's trust
/// anchor.
/// </summary>
public sealed partial class KnotDnsServer
{
    private const string SigningPolicy = "mtasts-test";

    /// <summary>
    /// Serves <paramref name="zoneName"/> signed by knotd (see <see cref="SetZoneRecordsAsync"/> for the records), and waits
    /// until knotd serves the signed zone with a serial at least the file's (signing raises it).
    /// </summary>
    public async Task SetSignedZoneRecordsAsync(string zoneName, params string[] records)
    {
        var zone = ValidateZoneName(zoneName);

        // Signing raises the served serial by one: skip a serial so that the next file is always newer than what is served.
        _ = ZoneText.NextSerial();
        var serial = ZoneText.NextSerial();
        var body = ZoneText.Build(zone, serial, records);
        await _control.WaitAsync();
        try
        {
            var file = ZoneFilePath(zone);
            await File.WriteAllTextAsync(file + ".tmp", body);
            File.Move(file + ".tmp", file, overwrite: true);
            if (_zones.Contains(zone))
            {
                await KnotcAsync(CancellationToken.None, "zone-reload", zone);
            }
            else
            {
                await ConfigureAsync(
                    CancellationToken.None,
                    ["conf-set", $"zone[{zone}]"],
                    ["conf-set", $"zone[{zone}].file", file],
                    ["conf-set", $"zone[{zone}].dnssec-signing", "on"],
                    ["conf-set", $"zone[{zone}].dnssec-policy", SigningPolicy]);
                _zones.Add(zone);
            }

            await WaitUntilAsync(
                async ct => (await QuerySoaSerialAsync(zone, ct)) is { } served && served >= serial && (await QueryDnsKeysAsync(zone, ct)).Count > 0,
                $"zone {zone} to be served signed with serial {serial} or later",
                CancellationToken.None);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// The DS record of a signed zone's key-signing key (SHA-256, RFC 4509), as zone-file text after the owner:
    /// <c>DS 12345 13 2 ABCD…</c>. With <paramref name="corrupt"/> the digest is altered, for a bogus delegation.
    /// </summary>
    public async Task<string> GetDsRecordAsync(string zoneName, bool corrupt = false)
    {
        var zone = ValidateZoneName(zoneName);
        var key = (await QueryDnsKeysAsync(zone, CancellationToken.None)).FirstOrDefault(k => (k.Flags & 1) == 1)
            ?? throw new InvalidOperationException($"Zone {zone} has no key-signing key.");

        // RFC 4034 §5.1.4: digest = SHA-256(owner name in canonical wire form | DNSKEY RDATA).
        var rdata = new List<byte>();
        rdata.Add((byte)(key.Flags >> 8));
        rdata.Add((byte)key.Flags);
        rdata.Add(key.Protocol);
        rdata.Add((byte)key.Algorithm);
        rdata.AddRange(key.PublicKey);
        var owner = new List<byte>();
        foreach (var label in zone.Split('.'))
        {
            owner.Add((byte)label.Length);
            owner.AddRange(System.Text.Encoding.ASCII.GetBytes(label.ToLowerInvariant()));
        }

        owner.Add(0);
        var digest = SHA256.HashData([.. owner, .. rdata]);
        if (corrupt)
        {
            digest[0] ^= 0xFF;
        }

        return string.Create(CultureInfo.InvariantCulture, $"DS {KeyTag([.. rdata])} {(byte)key.Algorithm} 2 {Convert.ToHexString(digest)}");
    }

    /// <summary>RFC 4034 Appendix B: the key tag of a DNSKEY RDATA.</summary>
    private static int KeyTag(byte[] rdata)
    {
        long sum = 0;
        for (var i = 0; i < rdata.Length; i++)
        {
            sum += (i & 1) == 1 ? rdata[i] : rdata[i] << 8;
        }

        sum += (sum >> 16) & 0xFFFF;
        return (int)(sum & 0xFFFF);
    }

    private async Task<IReadOnlyList<DnsKeyRecord>> QueryDnsKeysAsync(string zone, CancellationToken cancellationToken)
    {
        var response = await QueryDirectAsync(zone, QueryType.DNSKEY, QueryClass.IN, cancellationToken);
        return response is { HasError: false } ? [.. response.Answers.OfType<DnsKeyRecord>()] : [];
    }

}
