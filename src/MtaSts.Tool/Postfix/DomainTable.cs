using System.Collections.Concurrent;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// Maps lookup keys, as normalised by <see cref="LookupKey"/>, to their <see cref="DomainEntry"/>, so that a key seen
/// before is answered without allocating: no string per request, no second validation. Bounded: when it holds
/// <see cref="Capacity"/> keys it starts again empty (a cheap, rare reset rather than an eviction policy: a key seen again
/// is normalised again, about a microsecond), so that random keys from a client cannot grow it without limit. An entry
/// with its cached reply takes about 250 bytes: 100,000 keys, about 25 MB.
/// </summary>
internal sealed class DomainTable
{
    private static readonly DomainEntry NotADomain = new(null);

    private readonly ConcurrentDictionary<string, DomainEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DomainEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private int _count;

    public DomainTable(int capacity = 100_000)
    {
        Capacity = capacity;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    /// <summary>The entry for an ASCII key; <paramref name="key"/> is the raw key of the request.</summary>
    public DomainEntry Get(ReadOnlySpan<byte> key)
    {
        Span<char> candidate = stackalloc char[LookupKey.MaxCandidateLength];
        var length = LookupKey.Normalize(key, candidate);
        if (length == 0)
        {
            return NotADomain;
        }

        if (length < 0)
        {
            return LookupKey.NormalizeSlow(key) is { } slow ? GetOrAdd(slow) : NotADomain;
        }

        var span = candidate[..length];
        return _lookup.TryGetValue(span, out var entry) ? entry : GetOrAdd(span.ToString());
    }

    private DomainEntry GetOrAdd(string candidate)
    {
        if (_entries.TryGetValue(candidate, out var existing))
        {
            return existing;
        }

        var entry = LookupKey.TryGetPolicyDomain(candidate, out var policyDomain) ? new DomainEntry(policyDomain) : NotADomain;
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        return _entries.GetOrAdd(candidate, entry);
    }
}
