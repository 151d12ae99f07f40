namespace MtaSts;

/// <summary>The default <see cref="ITlsReportStore"/>: in memory, so counts are lost on restart.</summary>
internal sealed class MemoryTlsReportStore : ITlsReportStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(DateOnly Day, string Domain, string Key), long> _counters = [];
    private readonly HashSet<(DateOnly Day, string Domain)> _sent = [];

    public ValueTask AddCountersAsync(IReadOnlyList<TlsReportCounter> counters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counters);
        lock (_gate)
        {
            foreach (var counter in counters)
            {
                var key = (counter.Day, counter.PolicyDomain, counter.Key);
                _counters[key] = _counters.GetValueOrDefault(key) + counter.Count;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<TlsReportCounter>> GetCountersAsync(DateOnly day, string? policyDomain = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<TlsReportCounter> result =
            [
                .. _counters
                    .Where(c => c.Key.Day == day && (policyDomain is null || string.Equals(c.Key.Domain, policyDomain, StringComparison.Ordinal)))
                    .Select(c => new TlsReportCounter(c.Key.Day, c.Key.Domain, c.Key.Key, c.Value)),
            ];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<bool> TryMarkReportSentAsync(DateOnly day, string policyDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policyDomain);
        lock (_gate)
        {
            return ValueTask.FromResult(_sent.Add((day, policyDomain)));
        }
    }

    public ValueTask RemoveBeforeAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var key in _counters.Keys.Where(k => k.Day < day).ToList())
            {
                _counters.Remove(key);
            }

            _sent.RemoveWhere(s => s.Day < day);
        }

        return ValueTask.CompletedTask;
    }
}
