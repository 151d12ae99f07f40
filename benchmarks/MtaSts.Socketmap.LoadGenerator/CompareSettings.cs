namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>The options of <c>compare</c>.</summary>
internal sealed record CompareSettings(
    string ToolPath,
    int Domains,
    IReadOnlyList<int> Connections,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Depth,
    string? OutputPath,
    IReadOnlyDictionary<string, string> OurEnvironment,
    TimeSpan Prewarm,
    IReadOnlyList<Transport> Transports);
