namespace MtaSts;

/// <summary>The TXT records found at a name, each RR's character-strings joined with no separator (Decision 1).</summary>
internal sealed record TxtLookupResult(DnsLookupStatus Status, IReadOnlyList<string> Records, string? Error)
{
    public static TxtLookupResult NotFound { get; } = new(DnsLookupStatus.NotFound, [], null);

    public static TxtLookupResult Failure(string error) => new(DnsLookupStatus.TemporaryFailure, [], error);
}
