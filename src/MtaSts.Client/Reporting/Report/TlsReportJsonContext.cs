using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtaSts;

/// <summary>System.Text.Json source generation for the RFC 8460 §4.4 report (no reflection; trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(TlsReportDocument))]
internal sealed partial class TlsReportJsonContext : JsonSerializerContext;
