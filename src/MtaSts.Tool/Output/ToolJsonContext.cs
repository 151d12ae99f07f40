using System.Text.Json.Serialization;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Commands;

namespace MtaSts.Tool.Output;

/// <summary>Source-generated JSON for every document the tool writes: camelCase names, every field always present.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(LintJson))]
[JsonSerializable(typeof(ResolveJson))]
[JsonSerializable(typeof(CacheListJson))]
[JsonSerializable(typeof(CacheRecordJson))]
[JsonSerializable(typeof(CachePurgeJson))]
[JsonSerializable(typeof(CacheRefreshJson))]
[JsonSerializable(typeof(CheckJson))]

internal sealed partial class ToolJsonContext : JsonSerializerContext;
