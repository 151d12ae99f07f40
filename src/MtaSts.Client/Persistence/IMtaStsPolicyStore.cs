namespace MtaSts;

/// <summary>
/// A durable store of MTA-STS policies behind the in-memory cache, so that policies survive restarts (RFC 8461 §10.2:
/// forgetting them reopens the first-contact downgrade window) and a fleet of senders can share them.
/// </summary>
/// <remarks>
/// The resolver writes through on every fetch and removal, reads on a memory miss, and lists every record once at start
/// to warm the memory cache. It validates every record it reads (the text is parsed again and must agree with the
/// stored times), so a store only has to keep what it is given. A store that throws is logged and bypassed; the
/// resolver keeps serving from memory and fetching. Implementations must be thread-safe.
/// </remarks>
public interface IMtaStsPolicyStore
{
    /// <summary>Reads the record of <paramref name="policyDomain"/>.</summary>
    /// <param name="policyDomain">The normalised policy domain.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or <see langword="null"/> when there is none.</returns>
    ValueTask<StoredPolicyRecord?> GetAsync(string policyDomain, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces the record of its domain, atomically.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the record is stored durably.</returns>
    ValueTask SetAsync(StoredPolicyRecord record, CancellationToken cancellationToken = default);

    /// <summary>Removes the record of <paramref name="policyDomain"/>, if any.</summary>
    /// <param name="policyDomain">The normalised policy domain.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the record is gone.</returns>
    ValueTask RemoveAsync(string policyDomain, CancellationToken cancellationToken = default);

    /// <summary>Lists every record, to warm the memory cache at start. A store that cannot enumerate (a distributed cache) yields nothing.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The records.</returns>
    IAsyncEnumerable<StoredPolicyRecord> ListAsync(CancellationToken cancellationToken = default);
}
