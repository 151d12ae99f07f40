namespace MtaSts;

/// <summary>One counter of the collector: incremented on the delivery path, written to the store by deltas.</summary>
internal sealed class CountingCell
{
    /// <summary>The count so far; incremented with <see cref="Interlocked"/>.</summary>
    public long Value;

    /// <summary>How much of <see cref="Value"/> the store holds; touched only under the flush lock.</summary>
    public long Flushed;

    public CountingCell(string? key) => Key = key;

    /// <summary>Gets or sets the encoded store key (<see cref="TlsReportCounterKey"/>); made on first flush for failure details.</summary>
    public string? Key { get; set; }

    public void Increment() => Interlocked.Increment(ref Value);
}
