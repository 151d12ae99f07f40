namespace MtaSts;

/// <summary>
/// One counter of the TLS-RPT collector, as a report store keeps it: for a UTC day and a policy domain, an opaque key
/// naming what is counted (successful sessions under a policy, failed ones, or one kind of failure detail) and a count.
/// Immutable.
/// </summary>
/// <remarks>
/// A store treats <see cref="Key"/> as opaque text (at most a few kilobytes of UTF-8), compares it ordinally, and
/// adds counts for equal (<see cref="Day"/>, <see cref="PolicyDomain"/>, <see cref="Key"/>) triples.
/// </remarks>
public sealed class TlsReportCounter
{
    /// <summary>Initializes a new instance of the <see cref="TlsReportCounter"/> class.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="policyDomain">The policy domain (A-labels, lower case).</param>
    /// <param name="key">The opaque key.</param>
    /// <param name="count">The count (for <see cref="ITlsReportStore.AddCountersAsync"/>: the amount to add).</param>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> or <paramref name="key"/> is <see langword="null"/>.</exception>
    public TlsReportCounter(DateOnly day, string policyDomain, string key, long count)
    {
        Day = day;
        PolicyDomain = policyDomain ?? throw new ArgumentNullException(nameof(policyDomain));
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Count = count;
    }

    /// <summary>Gets the UTC day the sessions happened on.</summary>
    public DateOnly Day { get; }

    /// <summary>Gets the policy domain (A-labels, lower case).</summary>
    public string PolicyDomain { get; }

    /// <summary>Gets the opaque key of what is counted.</summary>
    public string Key { get; }

    /// <summary>Gets the count.</summary>
    public long Count { get; }
}
