namespace MtaSts;

/// <summary>
/// The text a TLS-RPT counter keeps for a <c>tlsa</c> policy: the TLSA base domain on the first line (the policy's
/// <c>policy-domain</c>, RFC 8460 §1.1), then one TLSA record per line in presentation form (its <c>policy-string</c>, §4.5).
/// </summary>
internal static class TlsaPolicyText
{
    public static string Encode(TlsaLookupResult tlsa) =>
        string.Join('\n', tlsa.Records.Select(r => r.ToString()).Prepend(tlsa.BaseDomain.ToLowerInvariant()));

    public static (string Domain, IReadOnlyList<string> Records) Decode(string text)
    {
        var lines = text.Split('\n');
        return (lines[0], [.. lines.Skip(1).Where(l => l.Length > 0)]);
    }
}
