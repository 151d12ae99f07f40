using System.Net;

namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>One measurement: where, how many connections, how, which keys, for how long.</summary>
internal sealed record LoadSettings(
    EndPoint Target,
    int Connections,
    LoadMode Mode,
    IReadOnlyList<string> Keys,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Depth = 32,
    string Name = "postfix");
