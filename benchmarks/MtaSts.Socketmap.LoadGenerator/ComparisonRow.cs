using System.Globalization;

namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>One cell of the comparison: both servers under the same load, back to back.</summary>
internal sealed class ComparisonRow(Transport transport, string kind, int connections, LoadMode mode)
{
    public Transport Transport => transport;

    public LoadResult? Ours { get; set; }

    public LoadResult? Theirs { get; set; }

    public double OurCpu { get; set; }

    public double TheirCpu { get; set; }

    /// <summary>Gets or sets the cores the load generator used while measuring ours and theirs.</summary>
    public (double Ours, double Theirs) ClientCpu { get; set; }

    public double Ratio => Ours!.QueriesPerSecond / Theirs!.QueriesPerSecond;

    /// <summary>The issue's targets: at least 5× with one request in flight, 10× pipelined, at a lower p99.</summary>
    public double Target => mode == LoadMode.OneInFlight ? 5 : 10;

    public bool Met => Ratio >= Target && Ours!.P99Microseconds < Theirs!.P99Microseconds;

    public string ToProgressLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"  {(transport == Transport.Unix ? "unix" : "inet"),-4} {kind,-8} {connections,2} conn {Mode,-9}: ours {Ours!.QueriesPerSecond,9:0} q/s p99 {Ours.P99Microseconds,8:0} µs | theirs {Theirs!.QueriesPerSecond,8:0} q/s p99 {Theirs.P99Microseconds,8:0} µs | {Ratio,5:0.0}×");

    public string ToMarkdown() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {kind} | {connections} | {Mode} | {Ours!.QueriesPerSecond:N0} | {Ours.P50Microseconds:0} | {Ours.P99Microseconds:0} | {OurCpu:0.00} + {ClientCpu.Ours:0.00} | {Theirs!.QueriesPerSecond:N0} | {Theirs.P50Microseconds:0} | {Theirs.P99Microseconds:0} | {TheirCpu:0.00} + {ClientCpu.Theirs:0.00} | **{Ratio:0.0}×** | {(Ours.P99Microseconds < Theirs.P99Microseconds ? "lower" : "higher")} | ≥ {Target:0}×: {(Met ? "met" : "not met")} |");

    private string Mode => mode == LoadMode.OneInFlight ? "one" : "pipelined";
}
