namespace MtaSts;

/// <summary>The <see cref="ITlsReportGenerator"/>: flushes the collector and builds from the store.</summary>
internal sealed class TlsReportGenerator : ITlsReportGenerator
{
    private readonly TlsRptCollector _collector;
    private readonly ITlsReportStore _store;
    private readonly TlsReportBuilder _builder;

    public TlsReportGenerator(TlsRptCollector collector, ITlsReportStore store, TlsReportBuilder builder)
    {
        _collector = collector;
        _store = store;
        _builder = builder;
    }

    public async Task<TlsReport?> GenerateReportAsync(string policyDomain, DateOnly day, CancellationToken cancellationToken = default)
    {
        var domain = PolicyDomainName.Normalize(policyDomain, nameof(policyDomain));
        await _collector.FlushAsync(cancellationToken).ConfigureAwait(false);
        var counters = await _store.GetCountersAsync(day, domain, cancellationToken).ConfigureAwait(false);
        return _builder.Build(domain, day, counters, out _);
    }

    public async Task<IReadOnlyList<string>> ListPolicyDomainsAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await _collector.FlushAsync(cancellationToken).ConfigureAwait(false);
        var counters = await _store.GetCountersAsync(day, null, cancellationToken).ConfigureAwait(false);
        return [.. counters.Select(c => c.PolicyDomain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
