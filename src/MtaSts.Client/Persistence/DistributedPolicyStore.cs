using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;

namespace MtaSts;

/// <summary>
/// <see cref="IMtaStsPolicyStore"/> over any <see cref="IDistributedCache"/> (Redis through
/// Microsoft.Extensions.Caching.StackExchangeRedis, SQL Server, …), so that a fleet of senders shares one policy cache.
/// Each record is a small versioned JSON document under <c>mtasts:policy:&lt;domain&gt;</c> that the cache drops once
/// the policy has gone unused for <see cref="MtaStsOptions.UnusedPolicyLifetime"/>. It cannot list its records, so it
/// does not warm the memory cache at start; each process reads a domain's record on its first miss.
/// </summary>
internal sealed class DistributedPolicyStore : IMtaStsPolicyStore
{
    /// <summary>The record format version; a record of another version is treated as corrupt and dropped.</summary>
    internal const int SchemaVersion = 1;

    internal const string KeyPrefix = "mtasts:policy:";

    private readonly IDistributedCache _cache;
    private readonly TimeSpan _unusedLifetime;

    public DistributedPolicyStore(IDistributedCache cache, TimeSpan unusedLifetime)
    {
        _cache = cache;
        _unusedLifetime = unusedLifetime;
    }

    public async ValueTask<StoredPolicyRecord?> GetAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        var bytes = await _cache.GetAsync(KeyPrefix + policyDomain, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Deserialize(bytes);
    }

    public async ValueTask SetAsync(StoredPolicyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var options = new DistributedCacheEntryOptions { AbsoluteExpiration = record.LastUsed + _unusedLifetime };
        await _cache.SetAsync(KeyPrefix + record.PolicyDomain, Serialize(record), options, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string policyDomain, CancellationToken cancellationToken = default) =>
        await _cache.RemoveAsync(KeyPrefix + policyDomain, cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<StoredPolicyRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    internal static byte[] Serialize(StoredPolicyRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (record.PolicyText.Length * 2));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", SchemaVersion);
            writer.WriteString("domain", record.PolicyDomain);
            writer.WriteString("id", record.PolicyId);
            writer.WriteString("fetchedAt", record.FetchedAt);
            writer.WriteString("expiresAt", record.ExpiresAt);
            writer.WriteString("lastUsed", record.LastUsed);
            writer.WriteString("text", record.PolicyText);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a record; anything malformed or of another schema version yields a record the resolver rejects.</summary>
    internal static StoredPolicyRecord? Deserialize(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != SchemaVersion)
            {
                return Corrupt();
            }

            return new StoredPolicyRecord(
                root.GetProperty("domain").GetString()!,
                root.GetProperty("id").GetString()!,
                root.GetProperty("text").GetString()!,
                root.GetProperty("fetchedAt").GetDateTimeOffset(),
                root.GetProperty("expiresAt").GetDateTimeOffset(),
                root.GetProperty("lastUsed").GetDateTimeOffset());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Corrupt();
        }
    }

    // A record the resolver's validation refuses, so that it is logged, counted and removed like any corrupt record.
    private static StoredPolicyRecord Corrupt() => new("", "", "", default, default, default);
}
