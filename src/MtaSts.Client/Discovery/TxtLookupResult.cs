namespace MtaSts;

/// <summary>The TXT records found at a name, each RR's character-strings joined with no separator (Decision 1). Immutable.</summary>
public sealed class TxtLookupResult
{
    /// <summary>Initializes a new instance of the <see cref="TxtLookupResult"/> class.</summary>
    /// <param name="status">How the lookup ended.</param>
    /// <param name="records">The records, one string per RR; empty unless <paramref name="status"/> is <see cref="DnsLookupStatus.Found"/>.</param>
    /// <param name="error">A short code saying why the lookup failed (see <see cref="ReasonCodes"/>), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    public TxtLookupResult(DnsLookupStatus status, IReadOnlyList<string> records, string? error = null)
    {
        Status = status;
        Records = records ?? throw new ArgumentNullException(nameof(records));
        Error = error;
    }

    /// <summary>Gets the answer for a name without TXT records (NXDOMAIN or NODATA).</summary>
    public static TxtLookupResult NotFound { get; } = new(DnsLookupStatus.NotFound, []);

    /// <summary>Gets how the lookup ended.</summary>
    public DnsLookupStatus Status { get; }

    /// <summary>Gets the records, one string per RR.</summary>
    public IReadOnlyList<string> Records { get; }

    /// <summary>Gets a short code saying why the lookup failed, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>
    /// Gets how long the answer may be cached: the smallest TTL of the records found, or for NXDOMAIN and NODATA the negative
    /// TTL of the zone's SOA record (RFC 2308 §5); <see langword="null"/> when the answer did not say.
    /// </summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>Creates the result of a lookup that failed temporarily.</summary>
    /// <param name="error">Why, as a short code.</param>
    /// <returns>The result.</returns>
    public static TxtLookupResult Failure(string error) => new(DnsLookupStatus.TemporaryFailure, [], error);
}
