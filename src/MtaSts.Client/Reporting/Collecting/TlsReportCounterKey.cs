using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MtaSts;

/// <summary>
/// Encodes what a <see cref="TlsReportCounter"/> counts as its opaque key: a compact JSON array
/// <c>[kind, policy-type, policy text, result-type, sending-mta-ip, receiving-mx-hostname, receiving-ip, receiving-mx-helo, failure-reason-code]</c>
/// (the last six only for failure details), so that any store can keep it as text.
/// </summary>
internal static class TlsReportCounterKey
{
    /// <summary>Sessions that negotiated TLS meeting the policy.</summary>
    public const string SuccessKind = "s";

    /// <summary>Sessions that failed under the policy.</summary>
    public const string FailureKind = "f";

    /// <summary>Sessions that failed in one way (one <c>failure-details</c> entry).</summary>
    public const string DetailKind = "d";

    public static string Encode(string kind, string policyType, string? policyText) =>
        Encode(kind, policyType, policyText, detail: null);

    public static string Encode(string policyType, string? policyText, in FailureDetailKey detail) =>
        Encode(DetailKind, policyType, policyText, detail);

    /// <summary>Decodes a key; <see langword="false"/> for text that is not one (a store must not be trusted).</summary>
    public static bool TryDecode(string key, out Decoded decoded)
    {
        decoded = default;
        var values = new List<string?>(9);
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(key));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null) || values.Count == 9)
                {
                    return false;
                }

                values.Add(reader.GetString());
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (values.Count < 3 || values[0] is not { } kind || values[1] is not ({ } policyType and (TlsRptPolicyType.Sts or TlsRptPolicyType.Tlsa or TlsRptPolicyType.NoPolicyFound)))
        {
            return false;
        }

        // A tlsa policy always names its TLSA base domain (TlsaPolicyText).
        if (policyType == TlsRptPolicyType.Tlsa && values[2] is not { Length: > 0 })
        {
            return false;
        }

        if (kind is SuccessKind or FailureKind && values.Count == 3)
        {
            decoded = new Decoded(kind, policyType, values[2], null, null, null, null, null, null);
            return true;
        }

        if (kind == DetailKind && values.Count == 9 && values[3] is { Length: > 0 } resultType && values[5] is { } mx)
        {
            decoded = new Decoded(kind, policyType, values[2], resultType, values[4], mx, values[6], values[7], values[8]);
            return true;
        }

        return false;
    }

    /// <summary>An address as TLS-RPT writes it: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6 without a scope.</summary>
    public static string? FormatAddress(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        return address.ToString();
    }

    /// <summary>An MX host name as reports write it: lower case, no trailing dot.</summary>
    public static string FormatHost(string host) => host.TrimEnd('.').ToLowerInvariant();

    private static string Encode(string kind, string policyType, string? policyText, FailureDetailKey? detail)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(kind);
            writer.WriteStringValue(policyType);
            WriteOptional(writer, policyText);
            if (detail is { } d)
            {
                writer.WriteStringValue(d.ResultType.ToResultTypeString());
                WriteOptional(writer, FormatAddress(d.SendingAddress));
                writer.WriteStringValue(FormatHost(d.MxHost));
                WriteOptional(writer, FormatAddress(d.ReceivingAddress));
                WriteOptional(writer, string.IsNullOrEmpty(d.Helo) ? null : d.Helo);
                WriteOptional(writer, string.IsNullOrEmpty(d.ReasonCode) ? null : d.ReasonCode);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    /// <summary>A decoded key.</summary>
    internal readonly record struct Decoded(
        string Kind,
        string PolicyType,
        string? PolicyText,
        string? ResultType,
        string? SendingMtaIp,
        string? MxHost,
        string? ReceivingIp,
        string? Helo,
        string? ReasonCode);
}
