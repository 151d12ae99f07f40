using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace MtaSts;

/// <summary>
/// The bounded, expiring tables beside the policy cache (successful chain verdicts, fetch back-off, the last certificate
/// verdict per policy host): a <see cref="MemoryCache"/> with a <see cref="MemoryCacheOptions.SizeLimit"/> in entries
/// (every entry has size 1) and per-entry expiry read from the caller's clock. The policy cache itself stays a
/// dictionary: its hit path must not allocate (see docs/architecture.md).
/// </summary>
internal static class SideTable
{
    /// <summary>Creates a table of at most <paramref name="maxEntries"/> entries whose expiry follows <paramref name="clock"/>.</summary>
    public static MemoryCache Create(int maxEntries, ISystemClock clock) => new(new MemoryCacheOptions
    {
        SizeLimit = maxEntries,
        Clock = clock,

        // When full, a new entry is not added, and a quarter of the table (expired entries first, then the least
        // recently used) is dropped in the background to make room.
        CompactionPercentage = 0.25,
    });

    /// <summary>Entry options: size 1, expiring at <paramref name="expiresAt"/> on the table's clock.</summary>
    public static MemoryCacheEntryOptions ExpiringAt(DateTimeOffset expiresAt) => new() { Size = 1, AbsoluteExpiration = expiresAt };
}
