using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MtaSts.Tests.Fakes;

/// <summary>A hand-written <see cref="IMtaStsPolicyStore"/> in memory that can be switched off to play an outage.</summary>
internal sealed class FakePolicyStore : IMtaStsPolicyStore
{
    public ConcurrentDictionary<string, StoredPolicyRecord> Records { get; } = new(StringComparer.Ordinal);

    public bool IsDown { get; set; }

    public int Reads { get; private set; }

    public int Writes { get; private set; }

    /// <summary>Gets or sets work done by every read after it has taken its record and before it returns it (to play races).</summary>
    public Func<Task>? AfterRead { get; set; }

    public async ValueTask<StoredPolicyRecord?> GetAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        Reads++;
        var record = Records.TryGetValue(policyDomain, out var r) ? r : null;
        if (AfterRead is { } afterRead)
        {
            await afterRead();
        }

        return record;
    }

    public ValueTask SetAsync(StoredPolicyRecord record, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        Writes++;
        Records[record.PolicyDomain] = record;
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        Records.TryRemove(policyDomain, out _);
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<StoredPolicyRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        foreach (var record in Records.Values)
        {
            await Task.Yield();
            yield return record;
        }
    }

    private void ThrowIfDown()
    {
        if (IsDown)
        {
            throw new IOException("The store is down.");
        }
    }
}
