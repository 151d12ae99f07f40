namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>What one measurement gave: requests answered per second, latency percentiles, errors.</summary>
internal sealed record LoadResult(long Requests, double Seconds, double P50Microseconds, double P99Microseconds, long Errors)
{
    public double QueriesPerSecond => Requests / Seconds;
}
